"""The Alembic migrations: one straight chain, empty to head on both backends, in step with the models."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Integer, String, Uuid, column, create_engine, inspect, table, text

from app.db import MIGRATIONS_DIR, alembic_config, open_database
from app.migrations import include_object
from app.models import Base
from app.models.base import UTCDateTime
from app.services.actor import DEFAULT_ACTOR
from app.services.complaints import ComplaintService, TicketInput
from app.services.customers import CustomerInput, CustomerQuery, CustomerService
from tests.conftest import new_pg_database

PG_URL = os.environ.get("CLIENTDESK_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("CLIENTDESK_REQUIRE_PG") == "1"

SCRIPT = ScriptDirectory.from_config(alembic_config())
MODEL_TABLES = set(Base.metadata.tables)
SQLITE_SEARCH_TABLES = {"customer_fts", "customer_fts_grams"}


def config_for(url: str):
    cfg = alembic_config()
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'migrate.db'}"


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with new_pg_database("clientdesk_migrate") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "empty_pg_url")


# ---------------------------------------------------------------- the chain


def test_the_revision_chain_is_linear():
    revisions = list(SCRIPT.walk_revisions())
    assert revisions, "no migrations at all"
    assert len(SCRIPT.get_heads()) == 1, f"more than one head: {SCRIPT.get_heads()}"
    assert len(SCRIPT.get_bases()) == 1, f"more than one base: {SCRIPT.get_bases()}"
    for rev in revisions:
        assert rev.down_revision is None or isinstance(rev.down_revision, str), (
            f"{rev.revision} merges {rev.down_revision}"
        )
        assert not rev.branch_labels, f"{rev.revision} has branch labels {rev.branch_labels}"
        assert len(rev.nextrev) <= 1, f"{rev.revision} branches into {sorted(rev.nextrev)}"
        assert not rev.dependencies, f"{rev.revision} depends on {rev.dependencies}"
    # Walking down from the head meets every revision once and ends at the base.
    seen = []
    rev = SCRIPT.get_revision(SCRIPT.get_current_head())
    while rev is not None:
        seen.append(rev.revision)
        rev = SCRIPT.get_revision(rev.down_revision) if rev.down_revision else None
    assert sorted(seen) == sorted(r.revision for r in revisions)
    assert seen[-1] == SCRIPT.get_bases()[0]


def test_every_file_in_versions_is_a_revision():
    files = {p.stem for p in (MIGRATIONS_DIR / "versions").glob("*.py") if p.stem != "__init__"}
    modules = {Path(r.path).stem for r in SCRIPT.walk_revisions()}
    assert files == modules


# ---------------------------------------------------------------- empty to head


def test_empty_to_head(empty_url):
    command.upgrade(config_for(empty_url), "head")
    assert current_revision(empty_url) == SCRIPT.get_current_head()
    engine = create_engine(empty_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert tables >= MODEL_TABLES
        with engine.connect() as conn:
            # The built-in rows every database starts with.
            assert conn.execute(text("SELECT name FROM staff")).scalars().all() == ["Administrator"]
            assert conn.execute(text("SELECT value FROM counter WHERE name = 'customer_code'")).scalar() == 0
            if engine.dialect.name == "sqlite":
                assert tables >= SQLITE_SEARCH_TABLES
                triggers = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                assert set(triggers.scalars()) == {f"customer_search_a{op}" for op in "idu"}
    finally:
        engine.dispose()


def test_the_app_opens_a_database_migrated_by_alembic(empty_url):
    command.upgrade(config_for(empty_url), "head")
    db = open_database(empty_url)
    try:
        service = CustomerService(db)
        service.create(DEFAULT_ACTOR, CustomerInput(name="北京华信科技有限公司"))
        rows = service.list(DEFAULT_ACTOR, CustomerQuery(text="bjhx"))
        assert [r.name for r in rows] == ["北京华信科技有限公司"]
    finally:
        db.dispose()


# ---------------------------------------------------------------- models and migrations agree


def test_models_and_migrations_agree(empty_url):
    command.upgrade(config_for(empty_url), "head")
    engine = create_engine(empty_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "the models differ from the migrated schema: write a migration"


def test_alembic_check_finds_nothing_to_generate(empty_url):
    # The same comparison through env.py, as `alembic check` runs it.
    cfg = config_for(empty_url)
    command.upgrade(cfg, "head")
    command.check(cfg)


# ---------------------------------------------------------------- down and up again


def test_downgrade_to_base_and_upgrade_again(empty_url):
    cfg = config_for(empty_url)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    assert current_revision(empty_url) is None
    engine = create_engine(empty_url)
    try:
        left = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert left == set(), f"downgrade left {left}"
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                triggers = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"))
                assert triggers.scalar() == 0
    finally:
        engine.dispose()
    command.upgrade(cfg, "head")
    assert current_revision(empty_url) == SCRIPT.get_current_head()
    # The search machinery (FTS tables and triggers on SQLite) came back with it.
    db = open_database(empty_url)
    try:
        service = CustomerService(db)
        service.create(DEFAULT_ACTOR, CustomerInput(name="上海浦江机械制造有限公司"))
        assert service.count(DEFAULT_ACTOR, CustomerQuery(text="浦江")) == 1
        assert service.count(DEFAULT_ACTOR, CustomerQuery(text="shpj")) == 1
    finally:
        db.dispose()


def test_each_revision_steps_up_and_down(sqlite_url):
    cfg = config_for(sqlite_url)
    for rev in reversed(list(SCRIPT.walk_revisions())):  # base first
        command.upgrade(cfg, rev.revision)
        assert current_revision(sqlite_url) == rev.revision
        command.downgrade(cfg, rev.down_revision or "base")
        assert current_revision(sqlite_url) == rev.down_revision
        command.upgrade(cfg, rev.revision)
    assert current_revision(sqlite_url) == SCRIPT.get_current_head()


def test_0008_numbers_earlier_complaints_in_receipt_order_and_seeds_categories(empty_url):
    """Complaints recorded before tickets existed (for tier rules) become tickets #1, #2 … by receipt time,
    and the next ticket opened continues after them."""
    db = open_database(empty_url)
    customer_id = CustomerService(db).create(DEFAULT_ACTOR, CustomerInput(name="Customer", code="C1")).id
    db.dispose()
    cfg = config_for(empty_url)
    command.downgrade(cfg, "0007")
    complaint = table(
        "complaint",
        column("id", Uuid),
        column("customer_id", Uuid),
        column("received_at", UTCDateTime()),
        column("description", String),
        column("created_at", UTCDateTime()),
        column("updated_at", UTCDateTime()),
        column("version", Integer),
    )
    received = {
        "late": datetime(2025, 6, 1, tzinfo=timezone.utc),
        "early": datetime(2025, 2, 1, tzinfo=timezone.utc),
    }
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                complaint.insert(),
                [
                    {
                        "id": uuid.uuid4(),
                        "customer_id": customer_id,
                        "received_at": at,
                        "description": name,
                        "created_at": at,
                        "updated_at": at,
                        "version": 1,
                    }
                    for name, at in received.items()
                ],
            )
    finally:
        engine.dispose()
    db = open_database(empty_url)  # upgrades to head
    try:
        with db.engine.connect() as conn:
            numbers = dict(conn.execute(text("SELECT description, number FROM complaint")).all())
            statuses = set(conn.execute(text("SELECT status FROM complaint")).scalars())
        assert numbers == {"early": 1, "late": 2}
        assert statuses == {"new"}
        categories = ComplaintService(db).categories(DEFAULT_ACTOR)
        assert [c.name for c in categories] == [
            "Product quality",
            "Delivery",
            "Billing",
            "Service not in place",
            "Staff attitude",
            "Staff acting for themselves",
            "Dispute between departments",
            "Other",
        ]
        ticket = ComplaintService(db).open(
            DEFAULT_ACTOR,
            TicketInput(customer_id=customer_id, category_id=categories[0].id, description="third"),
        )
        assert ticket.number == 3
    finally:
        db.dispose()
