"""Database access: the engine for any SQLAlchemy URL, unit-of-work sessions, and upgrade to head."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.i18n import _

APP_NAME = "ClientDesk"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseOpenError(Exception):
    """The database cannot be used; the message names the place and says what to do."""


class DatabaseUnavailableError(DatabaseOpenError):
    """An open database stopped answering (locked by another program, disk gone, server down)."""


class DatabaseTooNewError(DatabaseOpenError):
    """The database was written by a newer ClientDesk than this one."""


def default_database_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "clientdesk.db"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the GUI read while a background job writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _check_sqlite_file(path: Path, create: bool) -> None:
    """Refuse, before SQLite touches anything, the files it would otherwise create or misread."""
    if not path.parent.is_dir():
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            raise DatabaseOpenError(
                _("The folder {folder} does not exist. Create it, or choose another database file.").format(
                    folder=path.parent
                )
            )
    if path.is_dir():
        raise DatabaseOpenError(_("{path} is a folder, not a database file.").format(path=path))
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER:
            raise DatabaseOpenError(
                _(
                    "{path} is not a ClientDesk database (it is not an SQLite file). "
                    "Choose the right file, or move this one away and start again."
                ).format(path=path)
            )


def explain_database_error(exc: BaseException, where: str) -> str:
    """Turn a driver error into a sentence a user can act on."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return _(
            "The database {path} is locked by another program. Close the other program "
            "(or the other ClientDesk window) and try again."
        ).format(path=where)
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return _(
            "The database {path} is damaged and cannot be read. Restore it from a backup, "
            "or move it away to start with an empty database."
        ).format(path=where)
    if "readonly" in text or "read-only" in text or "permission" in text:
        return _("The database {path} cannot be written: check the file's permissions.").format(path=where)
    return _("The database {path} cannot be opened: {reason}").format(path=where, reason=exc)


@dataclass
class Database:
    """One open database: the engine plus a session factory; services take this."""

    engine: Engine
    where: str

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commit when the block ends, roll back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            # Locked, disk full, server gone: nothing was written; say so in words the user can act on.
            session.rollback()
            raise DatabaseUnavailableError(explain_database_error(exc, self.where)) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str:
        return ScriptDirectory.from_config(alembic_config()).get_current_head()

    def upgrade(self) -> None:
        """Bring the schema to this version of the app, refusing one written by a newer version."""
        script = ScriptDirectory.from_config(alembic_config())
        current = self.current_revision()
        if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
            raise DatabaseTooNewError(
                _(
                    "The database {path} was written by a newer version of ClientDesk "
                    "(schema {revision}). Install the newer version to open it."
                ).format(path=self.where, revision=current)
            )
        if current == script.get_current_head():
            return
        with self.engine.begin() as conn:
            cfg = alembic_config(self.engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, upgrade: bool = True, create_folder: bool = False) -> Database:
    """Open (and by default migrate) the database at `url`; the embedded one when url is None."""
    if url is None:
        url = default_database_url()
        create_folder = True
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        message = _("{url} is not a database address: {reason}").format(url=url, reason=exc)
        raise DatabaseOpenError(message) from exc
    where = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).expanduser().resolve()
            _check_sqlite_file(path, create_folder)
            where = str(path)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        try:
            engine = create_engine(parsed, pool_pre_ping=True)
        except Exception as exc:  # a missing driver, a bad option: all unusable the same way
            raise DatabaseOpenError(explain_database_error(exc, where)) from exc
    db = Database(engine, where)
    try:
        if upgrade:
            db.upgrade()
        else:
            db.current_revision()
    except DatabaseOpenError:
        engine.dispose()
        raise
    except (DBAPIError, OperationalError, sqlite3.Error) as exc:
        engine.dispose()
        raise DatabaseOpenError(explain_database_error(exc, where)) from exc
    return db
