"""What every SQLite connection of ours sets up (settings.SQLITE_INIT_COMMAND)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from zbut.settings import SQLITE_INIT_COMMAND


def test_a_new_sqlite_database_has_8_kib_pages_and_a_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as database:
        database.executescript(SQLITE_INIT_COMMAND)
        database.execute("CREATE TABLE company (id INTEGER PRIMARY KEY, name TEXT)")
    with sqlite3.connect(path) as database:
        assert database.execute("PRAGMA page_size").fetchone() == (8192,)
        assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_existing_sqlite_database_keeps_its_page_size(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as database:
        database.execute("PRAGMA page_size=4096")
        database.execute("CREATE TABLE company (id INTEGER PRIMARY KEY, name TEXT)")
    with sqlite3.connect(path) as database:
        database.executescript(SQLITE_INIT_COMMAND)
        database.execute("INSERT INTO company (name) VALUES ('Ромашка')")
        assert database.execute("PRAGMA page_size").fetchone() == (4096,)
