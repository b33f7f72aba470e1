from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIServer
from django.test import Client
from django.utils import translation

from tests.personas import World, build_world

# The live server of the end-to-end tests takes as many waiting connections as a production
# server (gunicorn: 2048), not Django's development default of 10: the concurrency test opens
# fifty at once, and a full accept queue on a busy machine answered one with a reset.
WSGIServer.request_queue_size = 2048


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language and leaves the thread as it found it.
    A request activates the language it chose (from a cookie, Accept-Language or the user's
    profile), and Django's LocaleMiddleware, like ours, leaves it active in the thread: a test
    ending on a Chinese request would hand Chinese to whatever test runs next in the worker
    (a fiscal period's label, "2026 财年", where "FY2026" was expected)."""
    with translation.override(django_settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _no_stages_known():
    """Each test's boards start from their pipeline's stages as the database holds them: the
    stages a board read are kept per process and checked by the next board's statement
    (pipeline.selectors), and a test's ids can be another test's."""
    from dealbook.pipeline import selectors as pipeline_selectors

    pipeline_selectors._known_stages.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return build_world()


class ApiClient:
    """A JSON client for /api/v1 acting as one user (session auth, like the browser)."""

    def __init__(self, user=None) -> None:
        self.client = Client()
        self.user = user
        if user is not None:
            self.client.force_login(user)

    def _call(self, method: str, path: str, body: Any = None, **extra):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(self.client, method)(url, **kwargs, **extra)

    def get(self, path: str, params: dict | None = None, **extra):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return self.client.get(url, params or {}, **extra)

    def post(self, path: str, body: Any = None, **extra):
        return self._call("post", path, body if body is not None else {}, **extra)

    def patch(self, path: str, body: Any, **extra):
        return self._call("patch", path, body, **extra)

    def delete(self, path: str, **extra):
        return self._call("delete", path, **extra)


@pytest.fixture
def api_as():
    """api_as(user) → an ApiClient signed in as `user`."""
    return ApiClient


# --- figures printed at the end of the run (access matrix, concurrency, schemathesis) ------
FIGURES_ENV = "DEALBOOK_TEST_FIGURES"


def pytest_configure(config):
    if not hasattr(config, "workerinput") and FIGURES_ENV not in os.environ:
        os.environ[FIGURES_ENV] = tempfile.mkdtemp(prefix="dealbook-figures-")


@pytest.fixture
def record_figure():
    """record_figure(name, value): add `value` to a figure summed over the whole run."""

    def record(name: str, value: int) -> None:
        path = Path(os.environ[FIGURES_ENV]) / f"{os.getpid()}.jsonl"
        with path.open("a") as out:
            out.write(json.dumps({"name": name, "value": value}) + "\n")

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput") or FIGURES_ENV not in os.environ:
        return
    totals: dict[str, int] = defaultdict(int)
    for path in Path(os.environ[FIGURES_ENV]).glob("*.jsonl"):
        for line in path.read_text().splitlines():
            figure = json.loads(line)
            totals[figure["name"]] += figure["value"]
    if "access_matrix_cases" in totals:
        terminalreporter.write_line(
            f"access matrix: {totals['access_matrix_cases']} cases, "
            f"{totals['access_matrix_leaks']} leaks"
        )
    if totals.get("schemathesis_personas"):
        personas = totals["schemathesis_personas"]
        terminalreporter.write_line(
            f"schemathesis: {totals['schemathesis_operations'] // personas} operations × "
            f"{personas} personas, {totals['schemathesis_requests']} requests, "
            f"{totals['schemathesis_server_errors']} server errors, "
            f"{totals['schemathesis_schema_violations']} schema violations"
        )
    # concurrency_<engine>_<figure>, recorded by tests/reliability/test_concurrent_edits.py
    engines = sorted({name.split("_")[1] for name in totals if name.startswith("concurrency_")})
    for engine in engines:
        figure = {
            name.removeprefix(f"concurrency_{engine}_"): value
            for name, value in totals.items()
            if name.startswith(f"concurrency_{engine}_")
        }
        terminalreporter.write_line(
            f"concurrent edits ({engine}): {figure.get('clients', 0)} clients × "
            f"{figure.get('edits_per_client', 0)} edits, {figure.get('accepted_writes', 0)} "
            f"accepted, {figure.get('refused_stale', 0)} refused as stale, "
            f"{figure.get('lost_updates', 0)} lost updates, "
            f"{figure.get('server_errors', 0)} server errors"
        )
    shown = ("access_matrix_", "schemathesis_", "concurrency_")
    for name in sorted(totals):
        if not name.startswith(shown):
            terminalreporter.write_line(f"{name}: {totals[name]}")
