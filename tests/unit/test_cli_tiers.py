"""The tier commands as users run them (python -m app.cli tiers …, report tiers), checked against the file."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from app.db import open_database
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from tests.unit.test_cli import cli, out, raw

# Revenue in the 12 months to 2026-06-30, in yuan. ABC by hand: sorted 500k, 300k, 150k, 50k of a
# total of 1,000k; the share before each is 0 %, 50 %, 80 %, 95 % → A (< 80), A, B (< 95), C.
REVENUES = {"ABC 甲": 500_000, "ABC 乙": 300_000, "ABC 丙": 150_000, "ABC 丁": 50_000}
AS_OF = "2026-06-30"


@pytest.fixture
def tier_db(tmp_path):
    home = tmp_path / "home"
    path = tmp_path / "tiers.db"
    url = f"sqlite:///{path}"
    out(cli("init", "--db", url, home=home))
    db = open_database(url)
    service = CustomerService(db)
    codes = {}
    for name, revenue in REVENUES.items():
        customer = service.create(DEFAULT_ACTOR, CustomerInput(name=name))
        codes[name] = customer.code
        service.save_transaction(
            DEFAULT_ACTOR,
            customer.id,
            TransactionInput(occurred_on=date(2026, 3, 1), amount=Decimal(revenue), profit=Decimal(0)),
        )
    # Bought once, in January 2025: within 12 months of 2025-06-30, not of 2026-06-30.
    old = service.create(DEFAULT_ACTOR, CustomerInput(name="往年客户"))
    service.save_transaction(
        DEFAULT_ACTOR, old.id, TransactionInput(occurred_on=date(2025, 1, 10), amount=Decimal(80_000))
    )
    codes["往年客户"] = old.code
    codes["新客户"] = service.create(DEFAULT_ACTOR, CustomerInput(name="新客户")).code
    db.dispose()
    return url, path, home, codes


def evaluate(url, home, *extra) -> dict:
    return json.loads(out(cli("tiers", "evaluate", "--db", url, "--json", *extra, home=home)))


def test_rules_list_shows_the_three_presets_and_the_one_in_use(tier_db):
    url, _path, home, _codes = tier_db
    rule_sets = json.loads(out(cli("tiers", "rules", "list", "--db", url, "--json", home=home)))
    assert sorted(r["method"] for r in rule_sets) == ["abc", "rfm", "weighted"]
    assert [r["method"] for r in rule_sets if r["in_use"]] == ["weighted"]
    shown = json.loads(out(cli("tiers", "rules", "show", "abc", "--db", url, "--json", home=home)))
    assert [t["up_to"] for t in shown["tiers"][:3]] == [80, 95, 100]


def test_evaluate_json_gives_one_proposal_per_customer_with_the_hand_computed_tiers(tier_db):
    url, path, home, codes = tier_db
    result = evaluate(url, home, "--rule-set", "ABC", "--as-of", AS_OF)
    assert result["rule_set"] == "ABC" and result["as_of"] == AS_OF
    by_code = {p["code"]: p for p in result["proposals"]}
    assert len(by_code) == 6
    expected = {
        "ABC 甲": "A",
        "ABC 乙": "A",
        "ABC 丙": "B",
        "ABC 丁": "C",
        "往年客户": "C",
        "新客户": "potential",
    }
    assert {name: by_code[codes[name]]["new_tier"] for name in expected} == expected
    assert all(p["old_tier"] == "" and p["changed"] for p in by_code.values())
    # Own share of the revenue: 500k of 1,000k.
    assert by_code[codes["ABC 甲"]]["score"] == pytest.approx(50.0)
    assert by_code[codes["ABC 甲"]]["dimensions"]["revenue"]["value"] == "500000.00"
    stored = raw(
        path,
        "SELECT count(*) AS n FROM tier_proposal WHERE evaluation_id = ?",
        result["evaluation"].replace("-", ""),
    )
    assert stored[0]["n"] == 6
    assert (
        raw(path, "SELECT count(*) AS n FROM customer WHERE tier != ''")[0]["n"] == 0
    )  # nothing applied yet


def test_as_of_makes_the_twelve_months_end_on_that_date(tier_db):
    url, _path, home, codes = tier_db
    then = {
        p["code"]: p for p in evaluate(url, home, "--rule-set", "ABC", "--as-of", "2025-06-30")["proposals"]
    }
    # As of 2025-06-30 only the January 2025 purchase is inside the window: its buyer is the only A.
    assert then[codes["往年客户"]]["new_tier"] == "A"
    assert then[codes["往年客户"]]["dimensions"]["revenue"]["value"] == "80000.00"
    assert then[codes["ABC 甲"]]["dimensions"]["revenue"]["value"] == "0.00"


def test_apply_only_some_codes_changes_only_those_and_writes_their_history(tier_db):
    url, path, home, codes = tier_db
    evaluation = evaluate(url, home, "--rule-set", "ABC", "--as-of", AS_OF)["evaluation"]
    chosen = f"{codes['ABC 甲']},{codes['ABC 丙']}"
    assert "2" in out(cli("tiers", "apply", evaluation[:8], "--only", chosen, "--db", url, home=home))
    tiers = {r["code"]: r["tier"] for r in raw(path, "SELECT code, tier FROM customer")}
    assert tiers[codes["ABC 甲"]] == "A" and tiers[codes["ABC 丙"]] == "B"
    assert tiers[codes["ABC 乙"]] == "" and tiers[codes["新客户"]] == ""
    history = raw(path, "SELECT from_tier, to_tier, kind, rule_set_name, rule_version FROM tier_history")
    assert sorted(
        (h["from_tier"], h["to_tier"], h["kind"], h["rule_set_name"], h["rule_version"]) for h in history
    ) == [
        ("", "A", "evaluation", "ABC", 1),
        ("", "B", "evaluation", "ABC", 1),
    ]
    listed = json.loads(out(cli("tiers", "history", codes["ABC 甲"], "--json", "--db", url, home=home)))
    assert [(h["from"], h["to"], h["rule_set"], h["rule_version"]) for h in listed] == [("", "A", "ABC", 1)]


def test_override_sets_the_tier_by_hand_and_a_following_evaluation_proposes_no_change(tier_db):
    url, path, home, codes = tier_db
    code = codes["新客户"]
    done = cli(
        "tiers",
        "override",
        code,
        "重要",
        "--reason",
        "战略合作",
        "--until",
        "2099-01-01",
        "--db",
        url,
        home=home,
    )
    assert code in out(done)
    assert raw(path, "SELECT tier FROM customer WHERE code = ?", code)[0]["tier"] == "important"
    proposal = next(p for p in evaluate(url, home)["proposals"] if p["code"] == code)
    assert proposal["overridden"] and not proposal["changed"] and proposal["new_tier"] == "important"
    history = json.loads(out(cli("tiers", "history", code, "--json", "--db", url, home=home)))
    assert history[0]["kind"] == "override" and "战略合作" in history[0]["reason"]


def test_override_refuses_a_tier_the_rules_do_not_name(tier_db):
    url, path, home, codes = tier_db
    refused = cli("tiers", "override", codes["新客户"], "钻石", "--reason", "x", "--db", url, home=home)
    assert refused.returncode == 1
    assert "钻石" in refused.stderr.decode("utf-8")
    assert raw(path, "SELECT tier FROM customer WHERE code = ?", codes["新客户"])[0]["tier"] == ""


def test_report_xlsx_is_the_tier_table_with_basic_information_criteria_and_tier(tier_db, tmp_path):
    url, _path, home, codes = tier_db
    evaluation = evaluate(url, home, "--rule-set", "ABC", "--as-of", AS_OF)["evaluation"]
    out(cli("tiers", "apply", evaluation, "--db", url, home=home))
    target = tmp_path / "tiers.xlsx"
    out(cli("report", "tiers", "--xlsx", str(target), "--db", url, home=home))
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [v for v in rows[0] if v] == ["Basic information", "Tier criteria", "Tier"]
    header = list(rows[1])
    data = {r[header.index("Customer code")]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert len(data) == 6
    assert data[codes["ABC 甲"]]["Revenue, last 12 months"] == 500000
    assert data[codes["ABC 丙"]]["Tier"] == "B"
    assert data[codes["新客户"]]["Tier"] == "Prospect"
