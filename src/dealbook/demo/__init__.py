"""The demo organisation, 华信科技 Huaxin Technology: `dealbook demo` (see docs DEMO.md).

A deterministic bulk loader for trying Dealbook out — never for production data.
`build.build_demo` is the entry point.
"""
