"""The command line, run as users run it (python -m app.cli) on an SQLite file, checked against the file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]
# The newest schema revision, as Alembic reads it from the migration files.
HEAD = ScriptDirectory(str(ROOT / "app" / "migrations")).get_current_head()
DEMO_CUSTOMERS = 50


def cli(*args: str, home: Path, lang: str = "en") -> subprocess.CompletedProcess:
    # HOME and the XDG folders point into the test's folder: a command that forgot --db must not
    # touch the real embedded database.
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "data"), APPDATA=str(home / "data"),
               CLIENTDESK_LANG=lang)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True, timeout=300
    )


def out(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result.stdout.decode("utf-8")  # strict: the output must be UTF-8


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """One database with 50 demo customers for every read-only command below."""
    home = tmp_path_factory.mktemp("home")
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    url = f"sqlite:///{path}"
    init = cli("init", "--db", url, home=home)
    assert HEAD in out(init)
    demo = cli("demo", "--customers", str(DEMO_CUSTOMERS), "--seed", "3", "--db", url, home=home)
    assert str(DEMO_CUSTOMERS) in out(demo)
    assert "50" in demo.stderr.decode("utf-8")  # the progress line
    return url, path, home


def raw(path: Path, sql: str, *params) -> list[sqlite3.Row]:
    """What is in the file, read with plain sqlite3: the expected values do not come from the app."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


RAW_LIST = """
    SELECT c.id, c.code, c.name, c.short_name, c.category, c.tier, c.industry, c.province, c.city,
           c.phone, c.email, c.uscc, c.founded, coalesce(s.name, '') AS manager
    FROM customer c LEFT JOIN staff s ON s.id = c.manager_id
    WHERE c.deleted_at IS NULL {where} ORDER BY c.code
"""


def expected_rows(path: Path, where: str = "", *params) -> list[dict]:
    rows = []
    for r in raw(path, RAW_LIST.format(where=where), *params):
        item = dict(r)
        hex_id = item["id"]
        item["id"] = f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"
        rows.append(item)
    return rows


def listed(result) -> list[dict]:
    items = json.loads(out(result))
    # updated_at is extra; every field the command promises is there.
    return [{k: v for k, v in item.items() if k != "updated_at"} for item in items]


def test_init_creates_a_database_and_reports_the_schema(tmp_path):
    path = tmp_path / "new.db"
    result = cli("init", "--db", str(path), home=tmp_path)  # a plain path means an SQLite file
    assert HEAD in out(result)
    assert raw(path, "SELECT version_num FROM alembic_version")[0][0] == HEAD
    current = cli("db", "current", "--db", f"sqlite:///{path}", home=tmp_path)
    assert HEAD in out(current)
    upgrade = cli("--db", f"sqlite:///{path}", "db", "upgrade", home=tmp_path)  # --db before the command
    assert HEAD in out(upgrade)


def test_list_json_is_every_customer_in_code_order(demo_db):
    url, path, home = demo_db
    result = cli("customers", "list", "--json", "--db", url, home=home)
    assert listed(result) == expected_rows(path)
    assert len(listed(result)) == DEMO_CUSTOMERS
    # UTF-8, not \\u escapes
    first_name = expected_rows(path)[0]["name"]
    assert first_name.encode("utf-8") in result.stdout


def test_list_limit_and_filters(demo_db):
    url, path, home = demo_db
    first_seven = listed(cli("customers", "list", "--json", "--limit", "7", "--db", url, home=home))
    assert first_seven == expected_rows(path)[:7]
    for tier in ("normal", "potential"):
        got = listed(cli("customers", "list", "--json", "--tier", tier, "--db", url, home=home))
        assert got == expected_rows(path, "AND c.tier = ?", tier)
        assert got
    got = listed(cli("customers", "list", "--json", "--category", "general", "--db", url, home=home))
    assert got == expected_rows(path, "AND c.category = ?", "general")
    manager = expected_rows(path)[0]["manager"]
    got = listed(cli("customers", "list", "--json", "--manager", manager, "--db", url, home=home))
    assert got == expected_rows(path, "AND s.name = ?", manager)
    assert listed(cli("customers", "list", "--json", "--manager", "没有这个人", "--db", url, home=home)) == []


def test_list_as_a_table(demo_db):
    url, path, home = demo_db
    text = out(cli("customers", "list", "--db", url, home=home))
    lines = text.splitlines()
    assert len(lines) == DEMO_CUSTOMERS + 1  # a header and a line per customer
    for line, row in zip(lines[1:], expected_rows(path), strict=True):
        assert line.startswith(row["code"])
        assert row["phone"] in line


def test_search_finds_by_short_name_phone_and_code(demo_db):
    url, path, home = demo_db
    target = expected_rows(path)[9]
    by_name = listed(cli("customers", "search", target["short_name"], "--json", "--db", url, home=home))
    assert target in by_name
    # independently: every customer found has the two characters in one of its names or contacts
    contacts = {r["customer_id"]: r["names"] for r in raw(
        path, "SELECT customer_id, group_concat(name) AS names FROM contact_person GROUP BY customer_id")}
    for item in by_name:
        texts = item["name"] + item["short_name"] + contacts[item["id"].replace("-", "")]
        assert target["short_name"] in texts
    fragment = target["phone"].split("-")[1][:5]
    assert target in listed(cli("customers", "search", fragment, "--json", "--db", url, home=home))
    assert listed(cli("customers", "search", target["code"], "--json", "--db", url, home=home)) == [target]
    limited = listed(cli("customers", "search", "有限", "--json", "--limit", "3", "--db", url, home=home))
    assert len(limited) == 3


def test_show_json_carries_the_file_with_contacts_and_transactions(demo_db):
    url, path, home = demo_db
    code = "C000012"
    shown = json.loads(out(cli("customers", "show", code, "--json", "--db", url, home=home)))
    (row,) = raw(path, "SELECT * FROM customer WHERE code = ?", code)
    (manager,) = raw(path, "SELECT name FROM staff WHERE id = ?", row["manager_id"])
    assert shown["code"] == code
    for name in ("name", "short_name", "category", "tier", "industry", "province", "city", "phone", "email",
                 "uscc", "address", "postcode", "legal_representative", "enterprise_nature", "credit_rating"):
        assert shown[name] == row[name], name
    assert shown["id"].replace("-", "") == row["id"]
    assert shown["founded"] == row["founded"] and date.fromisoformat(shown["founded"])
    assert shown["manager"] == manager["name"]
    assert Decimal(shown["registered_capital"]) == Decimal(row["registered_capital"]) / 100
    assert shown["employees"] == row["employees"]
    contacts = raw(path, "SELECT name FROM contact_person WHERE customer_id = ?", row["id"])
    assert sorted(c["name"] for c in shown["contacts"]) == sorted(c["name"] for c in contacts)
    assert [c["is_decision_maker"] for c in shown["contacts"]].count(True) == 1
    amounts = raw(path, "SELECT amount FROM transaction_record WHERE customer_id = ?", row["id"])
    assert sorted(Decimal(t["amount"]) for t in shown["transactions"]) == sorted(
        Decimal(a["amount"]) / 100 for a in amounts)


def test_show_readable(demo_db):
    url, path, home = demo_db
    (row,) = raw(path, "SELECT name, uscc, phone FROM customer WHERE code = 'C000003'")
    text = out(cli("customers", "show", "c000003", "--db", url, home=home))  # codes are case-blind
    assert text.startswith("C000003")
    for value in row:
        assert value in text
    assert "Contact persons" in text
    chinese = out(cli("customers", "show", "C000003", "--db", url, home=home, lang="zh_CN"))
    assert row["name"] in chinese


def no_traceback(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in err
    assert err.strip()
    return err


def test_unknown_code_is_an_error(demo_db):
    url, _path, home = demo_db
    err = no_traceback(cli("customers", "show", "C999999", "--db", url, home=home))
    assert "C999999" in err


@pytest.mark.parametrize(
    "db",
    [
        "sqlite:////nonexistent-folder-for-clientdesk/x.db",  # no such folder
        "{tmp}/missing.db",  # no such file: a read command does not create one
        "notadb://nowhere",  # not a database address
        "{tmp}/text.db",  # not an SQLite file
    ],
)
def test_a_bad_database_is_a_message_not_a_traceback(tmp_path, db):
    (tmp_path / "text.db").write_text("hello", encoding="utf-8")
    db = db.format(tmp=tmp_path)
    no_traceback(cli("customers", "list", "--db", db, home=tmp_path))
    assert not (tmp_path / "missing.db").exists()
    assert not (tmp_path / "data").exists()  # nor did the embedded database get created


def test_messages_follow_the_language(tmp_path):
    missing = str(tmp_path / "missing.db")
    chinese = no_traceback(cli("customers", "list", "--db", missing, home=tmp_path, lang="zh_CN"))
    english = no_traceback(cli("customers", "list", "--db", missing, home=tmp_path, lang="en"))
    assert "missing.db" in chinese and "数据库" in chinese
    assert "There is no database" in english
