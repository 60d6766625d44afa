"""Shared fixtures: a real migrated database per test, on SQLite and (when a server is given) PostgreSQL.

PostgreSQL tests use the server at CLIENTDESK_TEST_PG_URL (a URL to a database the tests may create
other databases from, e.g. postgresql+psycopg://postgres@localhost/postgres). Without it they are
skipped with that reason; with CLIENTDESK_REQUIRE_PG=1 (as in CI) a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from app import i18n
from app.db import Database, open_database
from app.models import Base

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_URL = os.environ.get("CLIENTDESK_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("CLIENTDESK_REQUIRE_PG") == "1"


@pytest.fixture(autouse=True)
def english():
    """Tests speak English unless they switch; the language is process-wide state."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated database file; each test gets a copy (migrating per test would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = open_database(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@contextmanager
def new_pg_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards; skips or fails without a server."""
    if not PG_URL:
        message = "no PostgreSQL server: set CLIENTDESK_TEST_PG_URL to run the PostgreSQL tests"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    admin_url = make_url(PG_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for this test run, migrated, with its built-in rows remembered."""
    with new_pg_database("clientdesk_test") as url:
        db = open_database(url)
        with db.engine.connect() as conn:
            builtins = {
                table: [dict(row._mapping) for row in conn.execute(select(table))]
                for table in Base.metadata.sorted_tables
            }
        yield db, builtins
        db.dispose()


def _reset_pg(db: Database, builtins: dict) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for table in Base.metadata.sorted_tables:
            if builtins[table]:
                conn.execute(insert(table), builtins[table])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request, tmp_path) -> Database:
    """A migrated, empty database (but for the built-in administrator) on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "clientdesk.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = open_database(f"sqlite:///{path}")
        yield database
        database.dispose()
    else:
        database, builtins = request.getfixturevalue("pg_database")
        _reset_pg(database, builtins)
        yield database


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template) -> Database:
    """SQLite only: for tests about the embedded file itself (and the GUI, which is backend-blind)."""
    path = tmp_path / "clientdesk.db"
    shutil.copyfile(sqlite_template, path)
    database = open_database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def local_zone(monkeypatch) -> Iterator:
    """`local_zone("Asia/Shanghai")` makes that the machine's time zone for the test (POSIX tzset)."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()
