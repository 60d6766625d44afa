"""GUI tests of the customer file's Tier tab, the override dialog and the manual ratings (pytest-qt)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.dialogs.override_dialog import OverrideDialog
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from app.services.tiers import TierService, tier_name
from app.views.main_window import MainWindow
from tests.gui.conftest import on_modal, shown_main_window

AS_OF = date(2025, 6, 30)
# Name, manual rating, then (day, amount) of each purchase within the year before AS_OF: a range of
# customers, so the percentile ranks spread them over the tiers.
SALES = [
    ("北京华信科技有限公司", 5, [(date(2025, 6, 1), "900000"), (date(2025, 3, 1), "400000")]),
    ("上海明德贸易有限公司", None, [(date(2025, 5, 10), "120000")]),
    ("深圳市鹏达电子股份有限公司", None, [(date(2024, 12, 1), "30000")]),
    ("杭州西湖物流有限公司", None, [(date(2024, 8, 1), "5000")]),
]


@pytest.fixture
def service(sqlite_db) -> CustomerService:
    return CustomerService(sqlite_db)


@pytest.fixture
def tiers(sqlite_db) -> TierService:
    return TierService(sqlite_db)


@pytest.fixture
def customers(service, tiers) -> list[uuid.UUID]:
    """The customers, evaluated as of AS_OF and the proposals applied."""
    ids = []
    for name, rating, sales in SALES:
        created = service.create(
            DEFAULT_ACTOR,
            CustomerInput(
                name=name,
                category="general",
                cooperation_start=date(2019, 4, 1),
                potential_rating=rating,
                influence_rating=rating,
            ),
        )
        for day, amount in sales:
            service.save_transaction(
                DEFAULT_ACTOR, created.id, TransactionInput(occurred_on=day, amount=amount)
            )
        ids.append(created.id)
    evaluation = tiers.evaluate(DEFAULT_ACTOR, as_of=AS_OF)
    tiers.apply(DEFAULT_ACTOR, evaluation.id)
    return ids


@pytest.fixture
def window(qtbot, customers, sqlite_db, tmp_path) -> Iterator[MainWindow]:
    yield from shown_main_window(qtbot, sqlite_db, tmp_path)


def fill_next_override_dialog(fill: Callable[[OverrideDialog], None]) -> list[OverrideDialog]:
    """Let `fill` work the next override dialog through its widgets (it clicks OK or Cancel)."""
    seen: list[OverrideDialog] = []

    def act(dialog: OverrideDialog) -> None:
        seen.append(dialog)
        fill(dialog)

    on_modal(OverrideDialog, act)
    return seen


def history_texts(editor) -> list[list[str]]:
    table = editor.tier_history_table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_evaluated_customer_shows_tier_score_and_breakdown(qtbot, window, service, tiers, customers):
    editor = window.open_customer(customers[0])
    editor.tabs.setCurrentWidget(editor.tier_tab)
    rules = tiers.rule_set(DEFAULT_ACTOR).definition
    stored = service.get(DEFAULT_ACTOR, customers[0]).data.tier
    assert stored == "vip"  # the biggest buyer by far
    assert editor.tier_label.text() == tier_name(rules, stored) == "VIP"
    info = tiers.customer_tier(DEFAULT_ACTOR, customers[0])
    assert info.explanation is not None
    assert editor.score_label.text() == f"Score {info.explanation.score:.1f} of 100".replace(".0 ", " ")
    assert "reaches VIP" in editor.reason_label.text()
    assert "Evaluated as of Jun 30, 2025 under Weighted score, version 1." in editor.reason_label.text()
    assert editor.cadence_label.text() == "Every 30 days"
    assert editor.service_level_label.text() == "Personal service"
    table = editor.breakdown_table
    dimensions = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert dimensions[0] == "Revenue, last 12 months"
    assert len(dimensions) == len(rules.weights)
    assert table.item(0, 1).text() == "¥1,300,000.00"
    assert table.item(0, 2).text() == "100"  # the highest revenue ranks at the top
    assert table.item(0, 3).text() == "30 %"
    shares = [float(table.item(r, 4).text().removesuffix(" %")) for r in range(table.rowCount())]
    assert sum(shares) == pytest.approx(100, abs=0.5)
    assert editor.previous_label.isHidden()  # only one evaluation so far
    assert table.isColumnHidden(5)
    # The applied evaluation is the first line of the history.
    _when, change, who, what, _reason = history_texts(editor)[0]
    assert change == "— → VIP"  # a new customer had no tier before
    assert what == "Evaluation: Weighted score, version 1"
    assert who == "Administrator"
    assert not editor.end_override_button.isEnabled()


def test_a_customer_never_evaluated_says_so(qtbot, window, service):
    created = service.create(DEFAULT_ACTOR, CustomerInput(name="广州南方建材有限公司"))
    editor = window.open_customer(created.id)
    assert editor.score_label.text() == "This customer has not been evaluated yet."
    assert editor.breakdown_table.isHidden()


def test_set_tier_by_hand_then_return_to_the_rules(qtbot, window, service, tiers, customers):
    customer_id = customers[1]
    editor = window.open_customer(customer_id)
    editor.tabs.setCurrentWidget(editor.tier_tab)
    before = service.get(DEFAULT_ACTOR, customer_id).data.tier
    assert before != "vip"
    ok_enabled_before_typing = []

    def fill(dialog: OverrideDialog) -> None:
        dialog.tier_combo.setCurrentIndex(dialog.tier_combo.findText("VIP"))
        ok_enabled_before_typing.append(dialog.ok_button.isEnabled())
        qtbot.keyClicks(dialog.reason_edit, "Strategic account")
        dialog.until_check.setChecked(True)
        assert dialog.until_edit.date().toPython() > date.today()  # three months ahead by default
        dialog.ok_button.click()

    seen = fill_next_override_dialog(fill)
    qtbot.mouseClick(editor.override_button, Qt.MouseButton.LeftButton)
    assert seen and ok_enabled_before_typing == [False]
    assert service.get(DEFAULT_ACTOR, customer_id).data.tier == "vip"
    assert editor.tier_label.text() == "VIP"
    assert "Strategic account" in editor.override_label.text()
    assert editor.end_override_button.isEnabled()
    _when, change, _who, what, reason = history_texts(editor)[0]
    assert what == "Set by hand"
    assert change == f"{tier_name(None, before)} → VIP"
    assert reason.startswith("Strategic account (until ")
    assert editor.fields.widgets["tier"].currentData() == "vip"  # the Basic tab follows
    assert not editor.dirty

    # The next evaluation leaves the tier set by hand alone.
    evaluation = tiers.evaluate(DEFAULT_ACTOR, as_of=AS_OF)
    proposal = next(p for p in tiers.proposals(DEFAULT_ACTOR, evaluation.id) if p.customer_id == customer_id)
    assert proposal.overridden
    assert proposal.new_tier == proposal.old_tier == "vip"
    assert proposal.change == "same"
    qtbot.waitUntil(lambda: not editor.previous_label.isHidden())  # the new evaluation shows
    assert "set by hand" in editor.reason_label.text()

    qtbot.mouseClick(editor.end_override_button, Qt.MouseButton.LeftButton)
    assert not editor.end_override_button.isEnabled()
    assert editor.override_label.text() == "Set by the rules."
    assert history_texts(editor)[0][3] == "Returned to the rules"
    assert tiers.customer_tier(DEFAULT_ACTOR, customer_id).override is None


def test_cancelling_the_dialog_changes_nothing(qtbot, window, service, customers):
    editor = window.open_customer(customers[2])
    before = service.get(DEFAULT_ACTOR, customers[2])
    fill_next_override_dialog(lambda dialog: dialog.reject())
    editor.set_tier_by_hand()
    after = service.get(DEFAULT_ACTOR, customers[2])
    assert (after.data.tier, after.version) == (before.data.tier, before.version)
    assert not editor.end_override_button.isEnabled()


def test_service_errors_show_at_the_dialog_fields(qtbot):
    dialog = OverrideDialog(None, "华信", [("vip", "VIP"), ("normal", "Normal")], "normal")
    qtbot.addWidget(dialog)
    assert dialog.tier == "normal" and dialog.until is None
    others = dialog.show_errors({"until": "The end date has passed.", "other": "Something else."})
    assert others == {"other": "Something else."}
    assert dialog.errors["until"].text() == "The end date has passed."
    assert not dialog.errors["until"].isHidden()
    assert dialog.errors["reason"].isHidden()


def test_a_tier_set_elsewhere_shows_in_an_open_window(qtbot, window, tiers, customers):
    editor = window.open_customer(customers[3])
    editor.fields.widgets["city"].setText("杭州")  # unsaved edits survive the refresh
    tiers.override(DEFAULT_ACTOR, customers[3], "important", "Met the buyer at the fair")
    qtbot.waitUntil(lambda: editor.tier_label.text() == "Important")
    assert editor.fields.widgets["city"].text() == "杭州"
    assert editor.dirty
    assert editor.save()  # the new version was taken over: no conflict
    assert editor.detail.data.tier == "important"


def test_tier_field_is_read_only_for_an_existing_customer(qtbot, window, service, customers):
    editor = window.open_customer(customers[0])
    tier = editor.fields.widgets["tier"]
    assert not tier.isEnabled()
    assert "Tier tab" in tier.toolTip()
    new = window.open_customer(None)
    assert new.fields.widgets["tier"].isEnabled()
    new.fields.widgets["name"].setText("广州南方建材有限公司")
    new.fields.widgets["tier"].setCurrentIndex(new.fields.widgets["tier"].findData("important"))
    assert new.save()
    assert service.get(DEFAULT_ACTOR, new.customer_id).data.tier == "important"
    assert not new.fields.widgets["tier"].isEnabled()  # chosen once; from now on through the Tier tab


def test_potential_and_influence_ratings_are_saved(qtbot, window, service, customers):
    editor = window.open_customer(customers[1])
    potential = editor.fields.widgets["potential_rating"]
    influence = editor.fields.widgets["influence_rating"]
    assert potential.currentText() == "Not rated"
    potential.setCurrentIndex(potential.findData(5))
    assert editor.dirty
    assert editor.save()
    saved = service.get(DEFAULT_ACTOR, customers[1]).data
    assert (saved.potential_rating, saved.influence_rating) == (5, None)
    assert potential.currentText() == "5"
    history = editor.history_table
    fields = [history.item(r, 3).text() for r in range(history.rowCount())]
    assert "Potential (1–5)" in fields
    influence.setCurrentIndex(influence.findData(2))
    potential.setCurrentIndex(0)
    assert editor.save()
    saved = service.get(DEFAULT_ACTOR, customers[1]).data
    assert (saved.potential_rating, saved.influence_rating) == (None, 2)
