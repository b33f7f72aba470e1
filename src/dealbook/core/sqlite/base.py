"""Django's SQLite backend, with the write transactions of one process taken in turn.

SQLite has one writer at a time. A connection that finds the write lock taken sleeps and
polls (1, 2, 5 … 100 ms) until its busy timeout, and whoever polls at the right moment wins:
with many threads writing at once (a threaded server, `dealbook serve --threads`), a newcomer
keeps beating the old waiters, and one of them fails with "database is locked" after the whole
timeout although the database was never stuck. Here the threads of a process queue on a lock
before BEGIN IMMEDIATE, so they take turns; between processes the busy timeout still applies.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base

_registry_lock = threading.Lock()
_writer_locks: dict[str, threading.Lock] = {}


def _writer_lock(name: str) -> threading.Lock:
    with _registry_lock:
        return _writer_locks.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _writer: threading.Lock | None = None

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode in {"IMMEDIATE", "EXCLUSIVE"}:  # type: ignore[attr-defined]
            lock = _writer_lock(str(self.settings_dict["NAME"]))
            # Past the busy timeout, go on without the turn and let SQLite decide, as before.
            timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
            if lock.acquire(timeout=timeout):
                self._writer = lock
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.release()

    def _commit(self):
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._end_turn()
