"""Opening a database: the embedded default, upgrades, and every way a file can be unusable."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import uuid
from pathlib import Path

import platformdirs
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import event, insert, text
from sqlalchemy.exc import IntegrityError

import app.db
from app.db import (
    DatabaseOpenError,
    DatabaseTooNewError,
    DatabaseUnavailableError,
    alembic_config,
    default_database_path,
    default_database_url,
    open_database,
)
from app.models import ContactPerson, utcnow

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: "nothing was created or changed" is a comparison."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def quick_busy_timeout(monkeypatch):
    """Give up on a lock after 0.3 s instead of the app's 5 s, so the lock tests stay quick."""
    original = app.db._sqlite_pragmas

    def pragmas(dbapi_connection, record):
        original(dbapi_connection, record)
        dbapi_connection.execute("PRAGMA busy_timeout = 300")

    monkeypatch.setattr(app.db, "_sqlite_pragmas", pragmas)


@pytest.fixture
def migrated_file(sqlite_template, tmp_path) -> Path:
    path = tmp_path / "work" / "clientdesk.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    return path


# ---------------------------------------------------------------- files that are not usable


def test_missing_folder_is_named_and_nothing_is_created(tmp_path):
    before = snapshot(tmp_path)
    target = tmp_path / "no such folder" / "deeper" / "clientdesk.db"
    with pytest.raises(DatabaseOpenError) as info:
        open_database(url_of(target))
    assert str(target.parent) in str(info.value)
    assert not target.parent.exists()
    assert not target.parent.parent.exists()
    assert snapshot(tmp_path) == before


def test_a_folder_is_not_a_database(tmp_path):
    folder = tmp_path / "clientdesk.db"
    folder.mkdir()
    with pytest.raises(DatabaseOpenError) as info:
        open_database(url_of(folder))
    assert str(folder) in str(info.value)


def test_a_text_file_is_not_a_database_and_stays_untouched(tmp_path):
    path = tmp_path / "customers.db"
    path.write_text("客户名单\n北京华信科技有限公司, 010-65529988\n", encoding="utf-8")
    stat = path.stat()
    before = snapshot(tmp_path)
    with pytest.raises(DatabaseOpenError) as info:
        open_database(url_of(path))
    message = str(info.value)
    assert str(path) in message
    assert "not" in message.lower() and "database" in message.lower()
    assert snapshot(tmp_path) == before  # no -wal or -shm beside it either
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


def test_a_corrupt_sqlite_file_gives_a_message_not_a_crash(migrated_file):
    data = migrated_file.read_bytes()
    assert data[:16] == b"SQLite format 3\x00"
    # A real header, then pages of garbage (a disk error, a half-copied file).
    garbage = bytes((i * 37 + 11) % 256 for i in range(len(data) - 100))
    migrated_file.write_bytes(data[:100] + garbage)
    before = snapshot(migrated_file.parent)
    with pytest.raises(DatabaseOpenError) as info:
        open_database(url_of(migrated_file))
    message = str(info.value)
    assert str(migrated_file) in message
    assert "damaged" in message.lower()
    assert migrated_file.read_bytes() == before["clientdesk.db"]


def test_garbage_after_the_first_page_is_also_reported(migrated_file):
    data = migrated_file.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    migrated_file.write_bytes(data[:page] + b"\xa5" * (len(data) - page))
    with pytest.raises(DatabaseOpenError) as info:
        open_database(url_of(migrated_file))
    assert str(migrated_file) in str(info.value)


def test_an_exclusively_locked_database_is_reported(migrated_file):
    # Takes the app's busy timeout (5 s): the lock already bites on the first PRAGMA of the connection.
    other = sqlite3.connect(migrated_file, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE counter SET value = value")
        with pytest.raises(DatabaseOpenError) as info:
            open_database(url_of(migrated_file))
        message = str(info.value)
        assert "locked" in message.lower()
        assert str(migrated_file) in message
    finally:
        other.execute("ROLLBACK")
        other.close()
    # Once the other program lets go, it opens.
    open_database(url_of(migrated_file)).dispose()


def test_a_wal_writer_lets_others_read_but_a_second_write_waits(migrated_file, quick_busy_timeout):
    other = sqlite3.connect(migrated_file, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE counter SET value = value")
        db = open_database(url_of(migrated_file))  # WAL: readers are not blocked by a writer
        try:
            assert db.current_revision() == HEAD
            with pytest.raises(DatabaseUnavailableError) as info, db.session() as session:
                session.execute(text("UPDATE counter SET value = value + 1"))
            assert "locked" in str(info.value).lower()
            assert str(migrated_file) in str(info.value)
            assert db.current_revision() == HEAD  # the rolled-back write left it usable
        finally:
            db.dispose()
    finally:
        other.execute("ROLLBACK")
        other.close()


# ---------------------------------------------------------------- schema versions


def test_a_database_from_a_newer_app_is_refused(migrated_file):
    with sqlite3.connect(migrated_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00d_from_the_future'")
    conn.close()
    with pytest.raises(DatabaseTooNewError) as info:
        open_database(url_of(migrated_file))
    message = str(info.value)
    assert str(migrated_file) in message
    assert "newer" in message.lower()
    assert "f00d_from_the_future" in message
    # Left as it was: the newer app can still open it.
    with sqlite3.connect(migrated_file) as conn:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        assert versions == [("f00d_from_the_future",)]
    conn.close()


def test_an_older_database_is_upgraded_to_head(tmp_path):
    path = tmp_path / "old.db"
    # A database at the base revision: what the first Alembic step starts from.
    cfg = alembic_config()
    cfg.set_main_option("sqlalchemy.url", url_of(path))
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'customer'").fetchone() == (0,)
    conn.close()

    db = open_database(url_of(path))
    try:
        assert db.current_revision() == HEAD
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM customer")).scalar() == 0
            assert conn.execute(text("SELECT name FROM staff")).scalars().all() == ["Administrator"]
    finally:
        db.dispose()


def test_a_new_file_is_created_and_migrated(tmp_path):
    path = tmp_path / "new.db"
    db = open_database(url_of(path))
    try:
        assert path.exists()
        assert db.current_revision() == HEAD
    finally:
        db.dispose()


def test_opening_without_upgrade_leaves_an_old_database_alone(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    db = open_database(url_of(path), upgrade=False)
    try:
        assert db.current_revision() is None
    finally:
        db.dispose()


# ---------------------------------------------------------------- connection settings


def test_sqlite_connections_use_wal_and_foreign_keys(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # ... and the foreign keys are enforced: a contact of a customer that does not exist.
    with pytest.raises(IntegrityError), sqlite_db.engine.begin() as conn:
        conn.execute(insert(ContactPerson.__table__).values(
            id=uuid.uuid4(), customer_id=uuid.uuid4(), name="张伟", title="", mobile="", phone="", email="",
            wechat="", preferences="", is_decision_maker=False, notes="",
            created_at=utcnow(), updated_at=utcnow(), version=1,
        ))


def test_every_pooled_connection_gets_the_settings(sqlite_db):
    seen = []
    event.listen(sqlite_db.engine, "connect", lambda dbapi, rec: seen.append(dbapi))
    sqlite_db.engine.dispose()
    with sqlite_db.engine.connect() as a, sqlite_db.engine.connect() as b:
        for conn in (a, b):
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    assert len(seen) == 2


# ---------------------------------------------------------------- the embedded default


@pytest.fixture
def private_home(tmp_path, monkeypatch):
    """Point every per-user folder at tmp_path, so nothing real is read or written."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData" / "Local"))
    return home


def test_default_database_is_in_the_users_data_folder(private_home):
    path = default_database_path()
    assert path.name == "clientdesk.db"
    assert path.parent == Path(platformdirs.user_data_dir("ClientDesk", appauthor=False))
    if sys.platform.startswith("linux"):
        assert path == private_home / "data" / "ClientDesk" / "clientdesk.db"
    assert private_home in path.parents
    assert default_database_url() == f"sqlite:///{path}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only XDG_DATA_HOME redirects the folder")
def test_opening_the_default_creates_folder_and_database(private_home):
    db = open_database()
    try:
        path = private_home / "data" / "ClientDesk" / "clientdesk.db"
        assert path.is_file()
        assert db.where == str(path)
        assert db.current_revision() == HEAD
    finally:
        db.dispose()


# ---------------------------------------------------------------- other addresses


def test_a_malformed_address_is_reported():
    with pytest.raises(DatabaseOpenError) as info:
        open_database("this is not a url")
    assert "this is not a url" in str(info.value)


def test_an_unreachable_server_is_reported_without_its_password():
    # Port 1 on the local machine: refused at once, whatever runs here.
    with pytest.raises(DatabaseOpenError) as info:
        open_database("postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:1/clientdesk")
    message = str(info.value)
    assert "127.0.0.1" in message
    assert "s3cret-pw" not in message


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_reported(pg_database):
    db, _ = pg_database
    url = db.engine.url.set(database=f"clientdesk_missing_{uuid.uuid4().hex[:8]}")
    with pytest.raises(DatabaseOpenError) as info:
        open_database(url.render_as_string(hide_password=False))
    message = str(info.value)
    assert url.database in message
    if url.password:
        assert f":{url.password}@" not in message

