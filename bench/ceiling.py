"""The ceiling: the smallest WSGI app, returning 2 KB of JSON, under the same server and load.

Every Dealbook scenario is reported as a share of this app's requests per second.
"""

import json

BODY = json.dumps(
    {"items": [{"id": i, "name": f"row {i:04d}", "pad": "x" * 40} for i in range(28)]}
)
BODY_BYTES = BODY.encode()[:2048].ljust(2048, b" ")


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2048")])
    return [BODY_BYTES]
