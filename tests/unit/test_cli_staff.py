"""The staff, handover and watch commands as users run them (python -m app.cli …), checked in the file."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from app.db import open_database
from app.models import ContactLog, Staff
from app.services.actor import DEFAULT_ACTOR
from app.services.contacts import refresh_last_contact
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from tests.unit.test_cli import cli, out, raw

AS_OF = "2026-06-30"
# 12-month revenue of 王芳's customers in (2025-06-30, 2026-06-30], in yuan; K1 has none.
REVENUES = {"C1": "500", "C2": "300", "C3": "200", "C4": "100"}


def run(staff_db, command: str) -> subprocess.CompletedProcess:
    """`clientdesk COMMAND --db FILE`, the words of COMMAND separated by single spaces."""
    url, _path, home, _added = staff_db
    return cli(*command.split(" "), "--db", url, home=home)


def run_json(staff_db, command: str):
    return json.loads(out(run(staff_db, command + " --json")))


def refused(staff_db, command: str) -> str:
    """What a command that must fail says (it exits with status 1)."""
    result = run(staff_db, command)
    assert result.returncode == 1, result.stdout.decode("utf-8")
    return result.stderr.decode("utf-8")


@pytest.fixture
def staff_db(tmp_path):
    """王芳 (added with the command) manages C1–C4, registered 2026-01-01, and the key customer K1."""
    home = tmp_path / "home"
    path = tmp_path / "staff.db"
    url = f"sqlite:///{path}"
    out(cli("init", "--db", url, home=home))
    added = run_json(
        (url, path, home, None), "staff add 王芳 --department 销售一部 --email wangfang@example.cn"
    )
    db = open_database(url)
    service = CustomerService(db)
    with db.session() as session:
        wang = session.scalar(select(Staff.id).where(Staff.name == "王芳"))
    for code, revenue in REVENUES.items():
        customer = service.create(
            DEFAULT_ACTOR,
            CustomerInput(name=f"客户{code}", code=code, manager_id=wang, registered_on=date(2026, 1, 1)),
        )
        service.save_transaction(
            DEFAULT_ACTOR,
            customer.id,
            TransactionInput(occurred_on=date(2026, 3, 1), amount=Decimal(revenue)),
        )
        if code == "C1":  # a call on June 1st
            with db.session() as session:
                at = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)
                session.execute(
                    insert(ContactLog), [{"customer_id": customer.id, "occurred_at": at, "staff_id": wang}]
                )
                refresh_last_contact(session, [customer.id])
    # Registered on the day the test runs (after AS_OF), so never lapsed as of AS_OF.
    service.create(DEFAULT_ACTOR, CustomerInput(name="重点客户", code="K1", category="key", manager_id=wang))
    db.dispose()
    assert added["id"] == str(wang)
    return url, path, home, added


def test_staff_add_creates_the_department_once_and_list_shows_active_staff(staff_db):
    _url, path, _home, added = staff_db
    assert {
        k: added[k] for k in ("name", "department", "role", "email", "active", "left_on", "customers")
    } == {
        "name": "王芳",
        "department": "销售一部",
        "role": "sales",
        "email": "wangfang@example.cn",
        "active": True,
        "left_on": None,
        "customers": 0,
    }
    li = run_json(staff_db, "staff add 李雷 --department 销售一部 --role manager")
    assert (li["department"], li["role"]) == ("销售一部", "manager")
    # The second person joined the department the first one made.
    assert raw(path, "SELECT count(*) AS n FROM department WHERE name = '销售一部'")[0]["n"] == 1
    listed = run_json(staff_db, "staff list")
    assert [(s["name"], s["customers"], s["active"]) for s in listed] == [
        ("Administrator", 0, True),
        ("李雷", 0, True),
        ("王芳", 5, True),
    ]


def test_handover_by_revenue_with_leave_as_json(staff_db):
    _url, path, _home, _added = staff_db
    out(run(staff_db, "staff add 李雷"))
    out(run(staff_db, "staff add 韩梅"))
    result = run_json(
        staff_db, f"handover --from 王芳 --to 李雷,韩梅 --split revenue --leave --as-of {AS_OF}"
    )
    # Largest revenue first: 500 → 李雷; 300 → 韩梅; 200 → 韩梅 (300 < 500); 100: 500 = 500 and 李雷 has
    # fewer customers → 李雷; K1 (0): 李雷 600 > 韩梅 500 → 韩梅.
    assert result == {
        "moved": 5,
        "per_recipient": {"李雷": 2, "韩梅": 3},
        "follow_ups_moved": 0,
        "follow_ups_created": 5,
        "follow_ups_reassigned": 0,
        "marked_left": True,
    }
    managers = raw(path, "SELECT c.code, s.name FROM customer c JOIN staff s ON s.id = c.manager_id")
    assert {r["code"]: r["name"] for r in managers} == {
        "C1": "李雷",
        "C2": "韩梅",
        "C3": "韩梅",
        "C4": "李雷",
        "K1": "韩梅",
    }
    wang = raw(path, "SELECT active, left_on FROM staff WHERE name = '王芳'")[0]
    assert (wang["active"], wang["left_on"]) == (0, AS_OF)
    introductions = raw(path, "SELECT due_on, origin FROM follow_up")
    assert sorted((r["due_on"], r["origin"]) for r in introductions) == [("2026-07-03", "handover")] * 5
    assert [c["code"] for c in run_json(staff_db, "customers list --manager 韩梅")] == ["C2", "C3", "K1"]


def test_an_unknown_staff_member_is_an_error_and_changes_nothing(staff_db):
    _url, path, _home, _added = staff_db
    assert "There is no staff member 无此人." in refused(staff_db, "handover --from 无此人 --to 王芳")
    assert "There is no staff member 张三." in refused(staff_db, "handover --from 王芳 --to 张三")
    assert "There is no staff member 无此人." in refused(staff_db, "staff leave 无此人")
    assert "There is no staff member 无此人." in refused(staff_db, "watch lapsed --staff 无此人")
    managers = raw(path, "SELECT DISTINCT s.name FROM customer c JOIN staff s ON s.id = c.manager_id")
    assert [r["name"] for r in managers] == ["王芳"]
    assert raw(path, "SELECT count(*) AS n FROM follow_up")[0]["n"] == 0
    assert raw(path, "SELECT active FROM staff WHERE name = '王芳'")[0]["active"] == 1


def test_staff_leave_by_name_or_id_and_list_all(staff_db):
    _url, path, _home, added = staff_db
    out(run(staff_db, "staff leave 王芳 --on 2026-07-01"))
    assert dict(raw(path, "SELECT active, left_on FROM staff WHERE name = '王芳'")[0]) == {
        "active": 0,
        "left_on": "2026-07-01",
    }
    assert [s["name"] for s in run_json(staff_db, "staff list")] == ["Administrator"]
    everyone = run_json(staff_db, "staff list --all")
    assert [(s["name"], s["left_on"], s["customers"]) for s in everyone] == [
        ("Administrator", None, 0),
        ("王芳", "2026-07-01", 5),  # theirs until handed over
    ]
    # By id, as `staff list` shows it: leaving again moves the day.
    out(run(staff_db, f"staff leave {added['id']} --on 2026-07-02"))
    assert raw(path, "SELECT left_on FROM staff WHERE name = '王芳'")[0]["left_on"] == "2026-07-02"
    assert "The built-in administrator cannot leave." in refused(staff_db, "staff leave Administrator")


def test_watch_lapsed_as_json(staff_db):
    # Registered 2026-01-01, never contacted: Jan 1 → Jun 30 = 31+28+31+30+31+29 = 180 days > 90.
    # C1 was called on June 1st: 29 days.
    assert run_json(staff_db, f"watch lapsed --as-of {AS_OF}") == [
        {
            "code": code,
            "name": f"客户{code}",
            "tier": "",
            "category": "potential",
            "manager": "王芳",
            "last_contact_at": None,
            "days_without": 180,
        }
        for code in ("C2", "C3", "C4")
    ]
    more_than_28 = run_json(staff_db, f"watch lapsed --as-of {AS_OF} --days 28")
    assert [(c["code"], c["days_without"]) for c in more_than_28] == [
        ("C2", 180),
        ("C3", 180),
        ("C4", 180),
        ("C1", 29),
    ]
    assert more_than_28[-1]["last_contact_at"] == "2026-06-01T09:00:00+00:00"
    first = run_json(staff_db, f"watch lapsed --as-of {AS_OF} --days 28 --staff 王芳 --limit 1")
    assert [c["code"] for c in first] == ["C2"]


def test_watch_understaffed_and_overview_as_json(staff_db):
    assert run_json(staff_db, "watch understaffed") == [
        {"code": "K1", "name": "重点客户", "tier": "", "category": "key", "manager": "王芳", "staff_count": 1}
    ]
    overview = run_json(staff_db, f"watch overview --as-of {AS_OF}")
    assert [o["name"] for o in overview] == ["Administrator", "王芳"]
    wang = overview[1]
    # 500 + 300 + 200 + 100 = 1,100 yuan; one call in the last 30 days; C2, C3, C4 lapsed.
    assert {k: v for k, v in wang.items() if k != "id"} == {
        "name": "王芳",
        "department": "销售一部",
        "active": True,
        "customers": 5,
        "by_tier": {"": 5},
        "revenue_12m": "1100.00",
        "contacts_30": 1,
        "contacts_90": 1,
        "overdue_follow_ups": 0,
        "lapsed": 3,
    }
