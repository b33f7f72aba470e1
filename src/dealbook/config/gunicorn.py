"""gunicorn settings for `dealbook serve` (loaded with `-c python:dealbook.config.gunicorn`).

The application is imported once in the master (`preload_app`) and its objects frozen out of
the garbage collector before the workers fork: the workers share those pages instead of
copying them, and a full collection no longer walks Django's tens of thousands of
start-up objects. The young generation is collected less often: a request allocates
thousands of short-lived objects, and collecting every 700 allocations shows in every
request's time.
"""

import gc

preload_app = True


def pre_fork(server, worker):
    gc.freeze()


def post_fork(server, worker):
    gc.set_threshold(10_000, 20, 20)
