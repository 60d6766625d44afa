"""The contacts and followups commands as users run them (python -m app.cli …), checked in the file."""

from __future__ import annotations

import json

import pytest

from app.db import open_database
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerService
from tests.unit.test_cli import cli, out, raw


@pytest.fixture
def office(tmp_path):
    """An empty database with one important customer, C1 (its cadence: a contact every 60 days)."""
    home = tmp_path / "home"
    path = tmp_path / "contacts.db"
    url = f"sqlite:///{path}"
    out(cli("init", "--db", url, home=home))
    db = open_database(url)
    CustomerService(db).create(
        DEFAULT_ACTOR, CustomerInput(name="华东机电有限公司", code="C1", tier="important")
    )
    db.dispose()
    return url, path, home


def run_json(office, *args: str):
    url, _path, home = office
    return json.loads(out(cli(*args, "--json", "--db", url, home=home)))


def follow_ups(path) -> list[str]:
    """The due dates of the open follow-ups in the file, read with sqlite3."""
    rows = raw(path, "SELECT due_on FROM follow_up WHERE status = 'open' ORDER BY due_on")
    return [row["due_on"] for row in rows]


def test_logging_plans_by_the_cadence_once_and_a_later_contact_answers_it(office):
    _url, path, _home = office
    first = run_json(
        office, "contacts", "log", "c1", "--type", "visit", "--summary", "谈价格", "--at", "2026-06-01 10:00"
    )
    # 2026-06-01 + 60 days (30 left in June, 31 in July) = 2026-07-31.
    assert first[0]["next_date"] == "2026-07-31" and first[0]["type"] == "visit"
    assert follow_ups(path) == ["2026-07-31"]
    # A call the next day: the follow-up of July 31 is weeks away and stays open, so no second one is planned.
    second = run_json(
        office, "contacts", "log", "C1", "--type", "phone", "--summary", "寄样品", "--at", "2026-06-02 09:00"
    )
    assert second[0]["next_date"] is None and second[0]["completes"] is None
    assert follow_ups(path) == ["2026-07-31"]
    due = run_json(office, "followups", "due", "--as-of", "2026-07-31")
    assert [(f["due"], f["due_on"], f["customer"]) for f in due] == [("today", "2026-07-31", "C1")]
    # Within a week of it, a contact answers the follow-up and plans the next: 2026-07-28 + 60 = 2026-09-26.
    third = run_json(
        office,
        "contacts",
        "log",
        "C1",
        "--type",
        "wechat",
        "--summary",
        "确认订单",
        "--at",
        "2026-07-28 15:00",
    )
    assert third[0]["completes"] is not None and third[0]["next_date"] == "2026-09-26"
    assert follow_ups(path) == ["2026-09-26"]
    listed = run_json(office, "contacts", "list", "C1")
    assert [log["summary"] for log in listed] == ["确认订单", "寄样品", "谈价格"]  # newest first


def test_a_wrong_contact_type_is_named(office):
    url, _path, home = office
    result = cli("contacts", "log", "C1", "--type", "pigeon", "--summary", "x", "--db", url, home=home)
    assert result.returncode != 0
    assert "pigeon" in result.stderr.decode("utf-8") and "wechat" in result.stderr.decode("utf-8")
