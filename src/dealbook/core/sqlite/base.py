"""Django's SQLite backend, with the write transactions of every Dealbook process taken in turn.

SQLite has one writer at a time. A connection that finds the write lock taken sleeps and
polls (1, 2, 5 … 100 ms) until its busy timeout, and whoever polls at the right moment wins:
with many threads writing at once (a threaded server, `dealbook serve --threads`), a newcomer
keeps beating the old waiters, and one of them fails with "database is locked" after the whole
timeout although the database was never stuck. And while a waiter sleeps, the lock it waits
for is often free already: two server workers writing in turn spent most of their time asleep.

Here a writer first queues for its turn — the threads of a process on a lock, the processes on
an advisory file lock next to the database (`<name>.writers`, `flock`) — and only then sends
BEGIN IMMEDIATE: the kernel wakes the next writer the moment the last one commits. A thread
that waits past the busy timeout for its process's turn goes on without it and lets SQLite
decide, as before; the file lock is waited for as long as the transaction ahead lasts (the
server's worker timeout bounds a stuck one). Writers outside Dealbook (a sqlite3 shell) are
still kept out by SQLite's own lock.

Checkpoints (copying the write-ahead log back into the database file, and syncing it) happen
after the turn, not in it: SQLite's automatic checkpoint runs inside the COMMIT that crosses
its threshold, so the next writer waited for a whole checkpoint now and then. Here a
connection's automatic checkpoint is off, and every `CHECKPOINT_EVERY` commits the
connection runs a PASSIVE checkpoint once its turn is over; it takes no write lock, and the
next writer goes on meanwhile.
"""

from __future__ import annotations

import fcntl
import functools
import os
import threading

from django.db.backends.sqlite3 import base

_registry_lock = threading.Lock()
_writer_locks: dict[str, threading.Lock] = {}
_writer_files: dict[tuple[int, str], int] = {}  # (process, database) → descriptor


def _writer_lock(name: str) -> threading.Lock:
    with _registry_lock:
        return _writer_locks.setdefault(name, threading.Lock())


def _writer_file(name: str) -> int | None:
    """This process's descriptor of the database's turn file; None for an in-memory one."""
    if not name or name == ":memory:" or name.startswith("file:") or not os.path.isabs(name):
        return None
    # Opened by each process itself: a descriptor inherited across fork() shares its lock
    # with the parent, and would let both write at once.
    key = (os.getpid(), name)
    with _registry_lock:
        if key not in _writer_files:
            _writer_files[key] = os.open(f"{name}.writers", os.O_RDWR | os.O_CREAT, 0o600)
        return _writer_files[key]


CHECKPOINT_EVERY = 50  # commits of a connection between its checkpoints
STATEMENTS_REMEMBERED = 512  # per process: the statements of the hot paths, many times over


@functools.lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _qmark(query: str) -> str:
    """`query` with Django's "%s" placeholders as SQLite's "?", as Django writes it."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's SQLite cursor, remembering how it rewrote each statement's placeholders: the
    same statements run again and again (prepared reads hand over the very same SQL text),
    and Django's rewrite, a regular expression over the whole SQL, cost more than answering
    a small query."""

    def convert_query(self, query, *, param_names=None):
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)
        return _qmark(query)


class DatabaseWrapper(base.DatabaseWrapper):
    _writer: threading.Lock | None = None
    _writer_fd: int | None = None
    _commits_since_checkpoint = 0

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.execute("PRAGMA wal_autocheckpoint=0")
        return connection

    def _checkpoint_now_and_then(self) -> None:
        self._commits_since_checkpoint += 1
        if self._commits_since_checkpoint >= CHECKPOINT_EVERY and self.connection is not None:
            self._commits_since_checkpoint = 0
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode in {"IMMEDIATE", "EXCLUSIVE"}:  # type: ignore[attr-defined]
            name = str(self.settings_dict["NAME"])
            lock = _writer_lock(name)
            # Past the busy timeout, go on without the turn and let SQLite decide, as before.
            timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
            if lock.acquire(timeout=timeout):
                self._writer = lock
                fd = _writer_file(name)
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    self._writer_fd = fd
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
        fd, self._writer_fd = self._writer_fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.release()

    def _commit(self):
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._end_turn()
            self._checkpoint_now_and_then()

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
