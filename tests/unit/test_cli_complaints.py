"""The complaints commands as users run them (python -m app.cli …, and app.cli.main in this process for
speed), on an SQLite file, checked against the file. The office works in Shanghai time (UTC+8, no summer
time): a ticket received 2026-03-02 10:00 there is stored as 02:00 UTC and, by the default policy of 3
calendar days, due 2026-03-05 10:00."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import update

from app import cli
from app.db import open_database
from app.models import Complaint
from app.models.enums import StaffRole
from app.services.actor import DEFAULT_ACTOR
from app.services.complaints import CategoryInfo, ComplaintPolicy, ComplaintService
from app.services.customers import CustomerInput, CustomerService
from app.services.staff import StaffInput, StaffService
from tests.unit.test_cli import cli as subprocess_cli
from tests.unit.test_cli import out, raw


def shanghai(*parts: int) -> datetime:
    """A wall-clock time in the office (the test's zone is Asia/Shanghai), made aware."""
    return datetime(*parts).astimezone()


@pytest.fixture
def office(tmp_path, local_zone, monkeypatch):
    """销售一部 with its manager 李经理 and two sales staff, 王芳 (account manager of C1, an important
    customer) and 张伟 (of C2, a normal one); the general manager 赵总."""
    local_zone("Asia/Shanghai")
    monkeypatch.setenv("CLIENTDESK_LANG", "en")
    home = tmp_path / "home"
    path = tmp_path / "complaints.db"
    url = f"sqlite:///{path}"
    out(subprocess_cli("init", "--db", url, home=home))
    db = open_database(url)
    staff = StaffService(db)
    sales = staff.save_department(DEFAULT_ACTOR, "销售一部").id
    people = {
        name: staff.save(DEFAULT_ACTOR, StaffInput(name=name, department_id=department, role=role.value)).id
        for name, department, role in (
            ("李经理", sales, StaffRole.MANAGER),
            ("王芳", sales, StaffRole.SALES),
            ("张伟", sales, StaffRole.SALES),
            ("赵总", None, StaffRole.GENERAL_MANAGER),
        )
    }
    customers = CustomerService(db)
    customers.create(
        DEFAULT_ACTOR,
        CustomerInput(name="华东机电有限公司", code="C1", tier="important", manager_id=people["王芳"]),
    )
    customers.create(
        DEFAULT_ACTOR, CustomerInput(name="江南纺织厂", code="C2", tier="normal", manager_id=people["张伟"])
    )
    db.dispose()
    return {"url": url, "path": path, "home": home, "staff": people}


@pytest.fixture
def clientdesk(office, capsys):
    """`clientdesk ARGS --db FILE` run by app.cli.main in this process: (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = cli.main([*args, "--db", office["url"]])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.fixture
def run_json(clientdesk):
    def run(*args: str):
        status, printed, err = clientdesk(*args, "--json")
        assert status == 0, err
        return json.loads(printed)

    return run


def open_ticket(
    run_json, code: str, received: str, category: str = "product_quality", **options: str
) -> dict:
    args = ["complaints", "open", code, "--category", category, "--received", received]
    args += [
        "--severity",
        options.get("severity", "normal"),
        "--description",
        options.get("text", "设备漏油"),
    ]
    return run_json(*args)


def refused(clientdesk, *args: str) -> str:
    """What a command that must fail says: exit status 1 (as every refused command), a reason, no trace."""
    status, printed, err = clientdesk(*args)
    assert status == 1, printed
    assert "Traceback" not in err and err.strip()
    return err


def stored(office, number: int) -> dict:
    """A ticket's row as it is in the file, read with sqlite3."""
    return dict(raw(office["path"], "SELECT * FROM complaint WHERE number = ?", number)[0])


def test_open_in_a_subprocess_gives_an_id_that_move_takes(office):
    url, home = office["url"], office["home"]
    opened = json.loads(
        out(
            subprocess_cli(
                "complaints",
                "open",
                "c1",
                "--category",
                "product_quality",
                "--severity",
                "normal",
                "--description",
                "设备漏油，要求上门检修",
                "--received",
                "2026-03-02 10:00",
                "--channel",
                "visit",
                "--json",
                "--db",
                url,
                home=home,
            )
        )
    )
    assert opened["number"] == 1 and opened["status"] == "new" and opened["channel"] == "visit"
    assert opened["received_at"] == "2026-03-02T10:00:00+08:00"
    assert opened["due_at"] == "2026-03-05T10:00:00+08:00"  # 3 calendar days, the time of day kept
    assert (opened["customer_code"], opened["category"], opened["responsible"]) == (
        "C1",
        "Product quality",
        "王芳",  # the account manager handles it when no one else is named
    )
    row = stored(office, 1)
    assert row["id"].replace("-", "") == opened["id"].replace("-", "")
    assert row["received_at"].startswith("2026-03-02 02:00") and row["due_at"].startswith("2026-03-05 02:00")

    moved = subprocess_cli(
        "complaints", "move", opened["id"], "--to", "accepted", "--note", "已受理", "--db", url, home=home
    )
    assert out(moved) == "Complaint #1 is now “Accepted”.\n"
    assert stored(office, 1)["status"] == "accepted"
    steps = raw(
        office["path"], "SELECT from_status, to_status, note FROM complaint_step ORDER BY at, from_status"
    )
    assert [tuple(s) for s in steps] == [("", "new", ""), ("new", "accepted", "已受理")]

    # Without --json, one line; the deadline in the office's time.
    line = out(
        subprocess_cli(
            "complaints",
            "open",
            "C2",
            "--category",
            "Delivery",
            "--severity",
            "high",
            "--description",
            "送货延误",
            "--received",
            "2026-03-04 09:30",
            "--db",
            url,
            home=home,
        )
    )
    assert line.startswith("Complaint #2 opened for C2, due ") and "Mar 7, 2026" in line and "9:30" in line
    refusal = subprocess_cli("complaints", "move", "#2", "--to", "closed", "--db", url, home=home)
    assert refusal.returncode == 1
    assert "cannot move to “Closed”" in refusal.stderr.decode("utf-8")


def test_a_category_by_key_name_or_the_office_s_own_name_any_case(office, clientdesk, run_json):
    db = open_database(office["url"])
    service = ComplaintService(db)
    service.save_categories(
        DEFAULT_ACTOR, [*service.categories(DEFAULT_ACTOR), CategoryInfo(None, "包装破损")]
    )
    db.dispose()
    assert open_ticket(run_json, "C1", "2026-03-02 10:00", "DELIVERY")["category"] == "Delivery"
    assert open_ticket(run_json, "C1", "2026-03-02 10:00", "staff attitude")["category"] == "Staff attitude"
    assert open_ticket(run_json, "C1", "2026-03-02 10:00", "包装破损")["category"] == "包装破损"
    err = refused(
        clientdesk,
        *("complaints", "open", "C1", "--category", "天气", "--severity", "low", "--description", "x"),
    )
    assert "天气" in err and "product_quality" in err and "包装破损" in err
    err = refused(
        clientdesk,
        *("complaints", "open", "C1", "--category", "billing", "--severity", "low", "--description", "x"),
        *("--received", "2027-01-01 09:00"),
    )
    assert "future" in err
    assert raw(office["path"], "SELECT count(*) FROM complaint")[0][0] == 3


def test_list_filters_and_overdue_at_a_moment(office, clientdesk, run_json):
    first = open_ticket(run_json, "C1", "2026-03-02 10:00")  # due 03-05 10:00
    second = open_ticket(run_json, "C2", "2026-03-04 09:00")  # due 03-07 09:00
    third = open_ticket(run_json, "C1", "2026-03-03 08:00")  # due 03-06 08:00
    run_json("complaints", "move", str(third["number"]), "--to", "accepted")

    def listed(*options: str) -> list[tuple[int, bool, float | None]]:
        rows = run_json("complaints", "list", *options)
        return [(r["number"], r["overdue"], r["time_left_hours"]) for r in rows]

    # Open tickets by deadline: 03-05 10:00, 03-06 08:00, 03-07 09:00; at 03-06 09:00 the first is 23 hours
    # late, the third 1 hour, the second has 24 hours left.
    assert listed("--as-of", "2026-03-06 09:00") == [(1, True, -23.0), (3, True, -1.0), (2, False, 24.0)]
    assert listed("--overdue", "--as-of", "2026-03-06 09:00") == [(1, True, -23.0), (3, True, -1.0)]
    assert listed("--overdue", "--as-of", "2026-03-06 07:00") == [(1, True, -21.0)]
    # An offset given is taken as it is: 01:00 UTC is 09:00 in Shanghai.
    assert listed("--overdue", "--as-of", "2026-03-06T01:00:00+00:00") == [(1, True, -23.0), (3, True, -1.0)]
    assert listed("--overdue", "--as-of", "2026-03-05 10:00") == []  # due is not yet late
    # 03-01 10:00 to 03-06 08:00: five days less two hours
    assert listed("--status", "accepted", "--as-of", "2026-03-01 10:00") == [(3, False, 118.0)]
    assert [r[0] for r in listed("--status", "new", "--status", "accepted")] == [1, 3, 2]
    assert [r[0] for r in listed("--customer", "c2")] == [2]
    assert [r[0] for r in listed("--customer", "C1", "--status", "new")] == [1]

    row = run_json("complaints", "list", "--customer", "C2")[0]
    assert row == {
        "id": second["id"],
        "number": 2,
        "customer_code": "C2",
        "customer_name": "江南纺织厂",
        "category": "Product quality",
        "severity": "normal",
        "status": "new",
        "received_at": "2026-03-04T09:00:00+08:00",
        "due_at": "2026-03-07T09:00:00+08:00",
        "escalation_level": 0,
        "overdue": True,  # at the real now, in December 2026
        "time_left_hours": row["time_left_hours"],
        "responsible": "张伟",
        "description": "设备漏油",
    }
    assert row["time_left_hours"] < -24 * 200
    status, table, _err = clientdesk("complaints", "list", "--as-of", "2026-03-06 09:00")
    assert (
        status == 0
        and "overdue 1 h 0 min" in table
        and "overdue 23 h 0 min" in table
        and "1 d 0 h left" in table
    )
    assert table.endswith("3 of 3 tickets.\n") and first["id"] not in table


def test_the_whole_workflow_to_closed_with_resolution_and_feedback(office, clientdesk, run_json):
    ticket = open_ticket(run_json, "C1", "2026-03-02 10:00")
    ref = ticket["id"]
    run_json("complaints", "move", ref, "--to", "accepted", "--note", "客服已受理")
    run_json("complaints", "move", "#1", "--to", "investigating", "--note", "质检部介入")
    # A step the ticket is not ready for saves nothing, not even what came with it.
    err = refused(clientdesk, "complaints", "move", "1", "--to", "resolved", "--root-cause", "密封圈老化")
    assert "root cause and the action taken" in err
    assert stored(office, 1)["root_cause"] == "" and stored(office, 1)["status"] == "investigating"
    resolved = run_json(
        "complaints",
        "move",
        ref,
        "--to",
        "resolved",
        "--root-cause",
        "密封圈老化",
        "--action",
        "更换密封圈",
        "--preventive",
        "每季度巡检",
        "--compensation",
        "¥1,200.50",
    )
    assert resolved["status"] == "resolved" and resolved["compensation"] == "1200.50"
    assert resolved["time_left_hours"] is None and resolved["overdue"] is False  # handled
    err = refused(clientdesk, "complaints", "move", ref, "--to", "feedback_given", "--told-by", "phone")
    assert "satisfaction" in err
    # The feedback alone: the resolution written before stays.
    fed_back = run_json(
        "complaints",
        "move",
        ref,
        "--to",
        "feedback_given",
        "--told-by",
        "phone",
        "--satisfaction",
        "4",
        "--comment",
        "处理及时",
    )
    assert (fed_back["root_cause"], fed_back["action_taken"], fed_back["compensation"]) == (
        "密封圈老化",
        "更换密封圈",
        "1200.50",
    )
    status, line, _err = clientdesk("complaints", "move", ref, "--to", "closed", "--note", "结案")
    assert status == 0 and line == "Complaint #1 is now “Closed”.\n"
    row = stored(office, 1)
    assert row["status"] == "closed" and row["closed_at"] and row["resolved_at"]
    assert (row["feedback_channel"], row["satisfaction"], row["feedback_comment"]) == ("phone", 4, "处理及时")
    assert (row["preventive_action"], row["compensation"]) == ("每季度巡检", 120050)  # stored in fen
    steps = raw(office["path"], "SELECT from_status, to_status FROM complaint_step ORDER BY at")
    assert [s["to_status"] for s in steps] == [
        "new",
        "accepted",
        "investigating",
        "resolved",
        "feedback_given",
        "closed",
    ]
    err = refused(clientdesk, "complaints", "move", ref, "--to", "closed")
    assert "already “Closed”" in err
    refused(clientdesk, "complaints", "move", "#99", "--to", "accepted")  # no such ticket
    assert [r["status"] for r in run_json("complaints", "list", "--status", "closed")] == ["closed"]


def test_a_resolved_ticket_closes_without_feedback_only_with_the_reason(office, clientdesk, run_json):
    open_ticket(run_json, "C2", "2026-03-02 10:00")
    for status in ("accepted", "investigating"):
        run_json("complaints", "move", "1", "--to", status)
    run_json(
        "complaints", "move", "1", "--to", "resolved", "--root-cause", "司机绕路", "--action", "更换物流"
    )
    err = refused(clientdesk, "complaints", "move", "1", "--to", "closed")
    assert "reason why none could be had" in err
    closed = run_json("complaints", "move", "1", "--to", "closed", "--no-feedback-reason", "客户电话停机")
    assert (closed["status"], closed["no_feedback_reason"], closed["satisfaction"]) == (
        "closed",
        "客户电话停机",
        None,
    )
    assert stored(office, 1)["no_feedback_reason"] == "客户电话停机"


def test_check_deadlines_escalates_once_per_level_at_the_moment_given(office, clientdesk, run_json):
    staff = office["staff"]
    open_ticket(run_json, "C1", "2026-03-02 10:00")  # due 03-05 10:00; second level after 03-07 10:00

    def check(moment: str) -> list[tuple[int, int, str, str, bool]]:
        done = run_json("complaints", "check-deadlines", "--as-of", moment)
        return [(e["number"], e["level"], e["to"], e["to_staff_id"], e["propose_reassign"]) for e in done]

    assert check("2026-03-05 09:00") == []
    assert check("2026-03-05 10:00") == []  # due, not yet late
    # A date alone is its noon: 03-06 12:00 is past the deadline, before the second level.
    assert check("2026-03-06") == [(1, 1, "李经理", str(staff["李经理"]), False)]
    assert check("2026-03-07 10:00") == []  # two days past the deadline is not yet more than two
    # Opened late (received 03-01 08:00, due 03-04 08:00, second level after 03-06 08:00) and found at
    # 03-08: both levels at once; the policy now proposes moving the customer at the first.
    db = open_database(office["url"])
    ComplaintService(db).save_policy(DEFAULT_ACTOR, ComplaintPolicy(propose_reassign=True))
    db.dispose()
    open_ticket(run_json, "C2", "2026-03-01 08:00")
    assert check("2026-03-08 09:00") == [
        (2, 1, "李经理", str(staff["李经理"]), True),
        (2, 2, "赵总", str(staff["赵总"]), False),
        (1, 2, "赵总", str(staff["赵总"]), False),
    ]
    assert check("2026-03-08 09:00") == []  # nothing new
    assert check("2026-03-20 09:00") == []
    escalations = raw(
        office["path"],
        "SELECT c.number, e.level FROM complaint_escalation e JOIN complaint c ON c.id = e.complaint_id "
        "ORDER BY c.number, e.level",
    )
    assert [tuple(e) for e in escalations] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert [stored(office, n)["escalation_level"] for n in (1, 2)] == [2, 2]
    status, text, _err = clientdesk("complaints", "check-deadlines", "--as-of", "2026-03-21 09:00")
    assert status == 0 and text == "No ticket is newly overdue.\n"


def test_check_deadlines_in_words(office, clientdesk, run_json):
    open_ticket(run_json, "C1", "2026-03-02 10:00")
    status, text, _err = clientdesk("complaints", "check-deadlines", "--as-of", "2026-03-08 09:00")
    assert status == 0
    assert text.splitlines() == [
        "Complaint #1: level 1, to 李经理.",
        "Complaint #1: level 2, to 赵总.",
        "2 escalations on 1 tickets.",
    ]


def test_stats_of_a_small_hand_counted_set(office, clientdesk, run_json, tmp_path):
    # (customer, received, category, what happens); resolution times are set below by hand.
    open_ticket(run_json, "C1", "2026-03-02 10:00", "product_quality")  # 1: closed, satisfaction 5
    open_ticket(run_json, "C1", "2026-03-10 09:00", "delivery")  # 2: closed without feedback
    open_ticket(run_json, "C1", "2026-03-20 08:00", "product_quality")  # 3: accepted, late at the as-of
    open_ticket(run_json, "C2", "2026-03-30 14:00", "billing")  # 4: new, due 04-02 14:00
    open_ticket(run_json, "C2", "2026-02-28 23:30", "delivery")  # 5: before the period (local day)
    open_ticket(run_json, "C2", "2026-03-01 07:00", "delivery")  # 6: in it (02-28 23:00 UTC); satisfaction 3
    resolution = ("--root-cause", "原因", "--action", "措施")
    for number in ("1", "2", "6"):
        run_json("complaints", "move", number, "--to", "accepted")
        run_json("complaints", "move", number, "--to", "investigating")
        run_json("complaints", "move", number, "--to", "resolved", *resolution)
    run_json("complaints", "move", "1", "--to", "feedback_given", "--told-by", "visit", "--satisfaction", "5")
    run_json("complaints", "move", "1", "--to", "closed")
    run_json("complaints", "move", "2", "--to", "closed", "--no-feedback-reason", "联系不上")
    run_json("complaints", "move", "6", "--to", "feedback_given", "--told-by", "phone", "--satisfaction", "3")
    run_json("complaints", "move", "3", "--to", "accepted")
    # Resolved after 24 h (on time), 120 h (due after 72 h: late) and 6 h (on time).
    resolved_at = {1: shanghai(2026, 3, 3, 10), 2: shanghai(2026, 3, 15, 9), 6: shanghai(2026, 3, 1, 13)}
    db = open_database(office["url"])
    with db.session() as session:
        for number, at in resolved_at.items():
            session.execute(update(Complaint).where(Complaint.number == number).values(resolved_at=at))
    db.dispose()

    workbook = tmp_path / "stats.xlsx"
    period = ("--from", "2026-03-01", "--to", "2026-03-31", "--as-of", "2026-04-01 12:00")
    stats = run_json("complaints", "stats", *period, "--xlsx", str(workbook))
    assert stats == {
        "from": "2026-03-01",
        "to": "2026-03-31",
        "as_of": "2026-04-01T12:00:00+08:00",
        "received": 5,  # all but 5
        # Open at the as-of, however long before the period received: 4 and 5 new, 3 accepted.
        "open_by_status": [
            {"status": "new", "name": "Received", "tickets": 2},
            {"status": "accepted", "name": "Accepted", "tickets": 1},
            {"status": "investigating", "name": "Investigating", "tickets": 0},
        ],
        # 4 is 1 d 22 h old, 3 is 12 d 4 h old, 5 is 31 d 12 h 30 min old
        "open_by_age": [
            {"name": "Up to 1 day", "tickets": 0},
            {"name": "1–3 days", "tickets": 1},
            {"name": "3–7 days", "tickets": 0},
            {"name": "7–30 days", "tickets": 1},
            {"name": "Over 30 days", "tickets": 1},
        ],
        "by_category": [
            {"name": "Delivery", "tickets": 2},
            {"name": "Product quality", "tickets": 2},
            {"name": "Billing", "tickets": 1},
        ],
        "by_tier": [{"name": "Important", "tickets": 3}, {"name": "Normal", "tickets": 2}],
        "by_staff": [{"name": "王芳", "tickets": 3}, {"name": "张伟", "tickets": 2}],
        "resolved": 3,
        "mean_hours": 50.0,  # (24 + 120 + 6) / 3
        "p90_hours": 120.0,  # rank ⌈0.9 × 3⌉ = 3 of 6, 24, 120
        "on_time": 2,
        "on_time_base": 4,  # the three resolved and 3, open past its deadline of 03-23 08:00
        "on_time_share": 0.5,
        "satisfaction_mean": 4.0,  # (5 + 3) / 2
        "satisfaction_count": 2,
    }
    sheet = openpyxl.load_workbook(workbook).active
    figures = {sheet.cell(row, 1).value: sheet.cell(row, 2).value for row in range(1, 12)}
    assert figures["Tickets received"] == 5 and figures["Resolved"] == 3

    status, text, _err = clientdesk("complaints", "stats", *period)
    assert status == 0 and "50.0" in text and "120.0" in text and "50% (2/4)" in text and "王芳" in text

    # Without a period: the last 12 months, today included.
    today = date.today()
    year_ago = today.replace(
        year=today.year - 1, day=28 if (today.month, today.day) == (2, 29) else today.day
    )
    default = run_json("complaints", "stats")
    assert (default["from"], default["to"]) == ((year_ago + timedelta(days=1)).isoformat(), today.isoformat())
    err = refused(clientdesk, "complaints", "stats", "--from", "2026-04-01", "--to", "2026-03-01")
    assert "before it starts" in err
