"""Throw-away databases for one benchmark each: a temporary SQLite file or a fresh PostgreSQL."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

POSTGRES_HOST = "127.0.0.1"
POSTGRES_PORT = 5432
POSTGRES_USER = "postgres"
DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class BenchDatabase:
    vendor: str
    url: str
    var_dir: str

    def env(self) -> dict[str, str]:
        """The environment a `zbut` process needs to work on this database."""
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.url,
            ZBUT_VAR_DIR=self.var_dir,
            DJANGO_SETTINGS_MODULE="zbut.settings",
            ENVIRONMENT="development",
            DEBUG="false",
        )
        return env


def postgresql_answers() -> bool:
    try:
        with socket.create_connection((POSTGRES_HOST, POSTGRES_PORT), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def bench_database(vendor: str) -> Iterator[BenchDatabase]:
    with tempfile.TemporaryDirectory(prefix="zbut-bench-") as tmp:
        if vendor == "sqlite":
            yield BenchDatabase(vendor, f"sqlite:///{tmp}/bench.sqlite3", tmp)
        elif vendor == "postgresql":
            with _postgresql_database() as url:
                yield BenchDatabase(vendor, url, tmp)
        else:
            raise ValueError(f"unknown database: {vendor}")


def _admin_url(database: str) -> str:
    return f"postgresql://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{database}"


@contextmanager
def _postgresql_database() -> Iterator[str]:
    import psycopg
    from psycopg import sql

    name = f"zbut_bench_{os.getpid()}"
    with psycopg.connect(_admin_url("postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _admin_url(name)
    finally:
        with psycopg.connect(_admin_url("postgres"), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
