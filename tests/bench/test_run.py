"""`make bench`'s driver (bench/run.py): what it checks before it measures."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


def _bench_run():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_port_something_listens_on_is_refused_before_any_server_starts():
    run = _bench_run()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit, match=f"already listens on 127.0.0.1:{port}"):
            run.start_server(["false"], {}, f"http://127.0.0.1:{port}/healthz")
    run.ensure_port_free(f"http://127.0.0.1:{port}/healthz")  # closed: free again
