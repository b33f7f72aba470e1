"""Django's SQLite backend, with writers of one process queued in turn (see base.py)."""
