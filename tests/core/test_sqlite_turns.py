"""Dealbook's SQLite writers take turns across processes: a second server worker waits for the
first one's commit (woken at once) instead of sleeping and polling until "database is locked"."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest
from django.db import connection

from dealbook.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer only")

HOLD_SECONDS = 0.6


def _wrapper(path: str, timeout: float) -> DatabaseWrapper:
    settings = {
        **connection.settings_dict,
        "NAME": path,
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
        "TEST": {},
    }
    wrapper = DatabaseWrapper(settings, alias="turns")
    wrapper.ensure_connection()
    return wrapper


def _write(wrapper: DatabaseWrapper, value: str) -> None:
    wrapper.cursor().execute("INSERT INTO log (value) VALUES (%s)", [value])


def _first_writer(path: str, holding, done) -> None:
    wrapper = _wrapper(path, timeout=30)
    wrapper._start_transaction_under_autocommit()
    _write(wrapper, "first")
    holding.set()
    time.sleep(HOLD_SECONDS)
    wrapper.commit()
    done.set()
    wrapper.close()


def test_a_second_process_waits_for_its_turn_instead_of_failing(tmp_path: Path, django_db_blocker):
    path = str(tmp_path / "turns.sqlite3")
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, value TEXT)")
    context = multiprocessing.get_context("fork")
    holding, done = context.Event(), context.Event()
    first = context.Process(target=_first_writer, args=(path, holding, done))
    django_db_blocker.unblock()  # these files are not the test database; the child inherits it
    first.start()
    try:
        assert holding.wait(10)
        # SQLite alone would give up after 50 ms ("database is locked"): the turn is taken first.
        second = _wrapper(path, timeout=0.05)
        started = time.monotonic()
        second._start_transaction_under_autocommit()
        waited = time.monotonic() - started
        # It began only once the first had committed: its transaction sees the first row.
        with second.cursor() as cursor:
            cursor.execute("SELECT value FROM log")
            assert cursor.fetchall() == [("first",)]
        _write(second, "second")
        second.commit()
        second.close()
    finally:
        first.join(10)
        django_db_blocker.restore()
    assert first.exitcode == 0
    assert waited >= HOLD_SECONDS / 2
    with sqlite3.connect(path) as check:
        rows = check.execute("SELECT value FROM log ORDER BY id").fetchall()
    assert rows == [("first",), ("second",)]
    assert Path(f"{path}.writers").exists()


def test_without_the_turn_file_sqlite_alone_refuses_the_second_writer(
    tmp_path: Path, django_db_blocker
):
    """The control: the same race on a bare connection fails — what the turn file prevents."""
    path = str(tmp_path / "bare.sqlite3")
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, value TEXT)")
    context = multiprocessing.get_context("fork")
    holding, done = context.Event(), context.Event()
    first = context.Process(target=_first_writer, args=(path, holding, done))
    django_db_blocker.unblock()  # these files are not the test database; the child inherits it
    first.start()
    try:
        assert holding.wait(10)
        bare = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            bare.execute("BEGIN IMMEDIATE")
        bare.close()
    finally:
        first.join(10)
        django_db_blocker.restore()
    assert first.exitcode == 0


def test_the_write_ahead_log_is_checkpointed_after_the_turn_every_few_commits(
    tmp_path: Path, monkeypatch, django_db_blocker
):
    """No checkpoint inside a COMMIT (SQLite's automatic one is off): the connection copies
    the log back into the database file itself, after its turn, every CHECKPOINT_EVERY
    commits."""
    from dealbook.core.sqlite import base as sqlite_base

    monkeypatch.setattr(sqlite_base, "CHECKPOINT_EVERY", 3)
    path = str(tmp_path / "checkpoints.sqlite3")
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
    django_db_blocker.unblock()  # this file is not the test database
    try:
        sizes = _three_commits(path)
    finally:
        django_db_blocker.restore()
    # Two commits live in the log only; the third one's checkpoint wrote them all to the file.
    assert sizes[0] == sizes[1] < 3 * 5000 < sizes[2]
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM log").fetchone()[0] == 3


def _three_commits(path: str) -> list[int]:
    """The database file's size after each of three commits of one connection."""
    wrapper = _wrapper(path, timeout=5)
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 0
    sizes: list[int] = []
    for n in range(3):
        wrapper._start_transaction_under_autocommit()
        with wrapper.cursor() as cursor:
            if n == 0:
                cursor.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, value TEXT)")
            cursor.execute("INSERT INTO log (value) VALUES (%s)", ["x" * 5000])
        wrapper.commit()
        sizes.append(Path(path).stat().st_size)
    wrapper.close()
    return sizes


@pytest.mark.django_db
def test_each_connection_caches_the_configured_pages(settings):
    """The page cache is SQLITE_CACHE_MIB (64 MiB unless set), not SQLite's 2 MB default."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -settings.SQLITE_CACHE_MIB * 1024 == -64 * 1024


@pytest.mark.django_db
def test_placeholders_are_rewritten_as_django_does_and_remembered():
    """The cursor turns "%s" into "?" (and "%%" into "%") exactly as Django's, once per
    statement text; statements with named parameters go to Django's own rewrite."""
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    from dealbook.core.sqlite.base import CursorWrapper, _qmark

    statements = [
        "SELECT %s",
        "SELECT name FROM t WHERE name LIKE %s ESCAPE '\\' AND code = '%%s' AND n = %s",
        "SELECT '100%%' || %s",
        "SELECT 1",
    ]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        assert isinstance(raw, CursorWrapper)
        for sql in statements:
            assert raw.convert_query(sql) == SQLiteCursorWrapper.convert_query(raw, sql)
        assert raw.convert_query("SELECT %(a)s", param_names=["a"]) == "SELECT :a"
        before = _qmark.cache_info().hits
        raw.convert_query(statements[1])
        assert _qmark.cache_info().hits == before + 1
        cursor.execute("SELECT %s || '%%'", ["5"])
        assert cursor.fetchone() == ("5%",)
