"""The demo organisation at benchmark scale: `dealbook generate --scale tiny|small|large`.

`build.build_scale` is the entry point, `presets.PRESETS` the sizes. Kept free of model
imports so the command line can read the presets before Django is set up.
"""
