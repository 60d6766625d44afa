"""GUI tests of tiers: evaluate on the Tiers page, explain, approve some; the rules editor saves versions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from app.dialogs.settings_dialog import SettingsDialog
from app.services import office
from app.services.actor import DEFAULT_ACTOR
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from app.services.tiers import TierService
from app.views.main_window import MainWindow
from app.views.proposal_model import Column
from tests.gui.conftest import shown_main_window

AS_OF = date(2025, 6, 30)
# name, tier now, potential and influence ratings, cooperation since, purchases (days before AS_OF, yuan).
# Under the weighted preset as of AS_OF these score 85 (VIP), 72 (important), 45.5, 43.5, 23 and 15 (no
# purchase: prospect).
CUSTOMERS = [
    ("华信科技", "normal", 5, 5, date(2010, 1, 1), [(20, 200000)] * 12),  # ▲ VIP
    ("明德贸易", "vip", None, None, None, []),  # ▼ prospect
    ("西湖物流", "", 3, 3, date(2022, 1, 1), [(60, 20000)] * 3),  # new: normal
    ("长江机械", "normal", 4, 4, date(2015, 1, 1), [(10, 80000)] * 8),  # ▲ important
    ("光谷生物", "normal", 2, 2, date(2023, 1, 1), [(200, 5000)]),  # unchanged
    ("鹏达电子", "vip", 3, 3, date(2019, 1, 1), [(100, 30000)] * 2),  # would be normal; set by hand
]


@pytest.fixture
def customers(sqlite_db) -> dict[str, object]:
    service = CustomerService(sqlite_db)
    ids = {}
    for name, tier, potential, influence, since, purchases in CUSTOMERS:
        customer = service.create(
            DEFAULT_ACTOR,
            CustomerInput(
                name=name,
                tier=tier,
                category="general",
                potential_rating=potential,
                influence_rating=influence,
                cooperation_start=since,
            ),
        )
        for i, (days, amount) in enumerate(purchases):
            service.save_transaction(
                DEFAULT_ACTOR,
                customer.id,
                TransactionInput(occurred_on=AS_OF - timedelta(days=days + 7 * i), amount=Decimal(amount)),
            )
        ids[name] = customer.id
    TierService(sqlite_db).override(
        DEFAULT_ACTOR, ids["鹏达电子"], "vip", "Key account of the head office", today=AS_OF
    )
    return ids


@pytest.fixture
def window(qtbot, customers, sqlite_db, tmp_path) -> Iterator[MainWindow]:
    yield from shown_main_window(qtbot, sqlite_db, tmp_path)


@pytest.fixture
def answers(monkeypatch) -> list[str]:
    """Every confirmation is answered Yes; the texts of questions and messages are collected."""
    seen: list[str] = []

    def question(_parent, _title, text, *_args, **_kwargs):
        seen.append(text)
        return QMessageBox.StandardButton.Yes

    def information(_parent, _title, text, *_args, **_kwargs):
        seen.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "information", information)
    monkeypatch.setattr(QMessageBox, "warning", information)
    return seen


def evaluate(qtbot, window: MainWindow):
    window.tiers_action.trigger()
    page = window.tiers_page
    assert window.pages.currentWidget() is page
    page.as_of.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    task = page.evaluate()
    assert task is not None
    qtbot.waitUntil(lambda: page.task is None and page.evaluation is not None, timeout=20000)
    return page


def row_of(page, name: str) -> int:
    return next(r for r in range(page.model.rowCount()) if page.model.row(r).name == name)


def test_the_due_reminder_opens_the_tiers_page(qtbot, window):
    assert window.due_button.isVisible()
    window.due_button.click()
    assert window.pages.currentWidget() is window.tiers_page
    assert window.tiers_action.isChecked() and not window.customers_action.isChecked()
    assert window.tiers_page.banner.isVisible()
    assert "not been evaluated yet" in window.tiers_page.banner_text.text()
    assert window.status_text.isHidden()  # the customer list's count belongs to its page
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.customers_page
    assert not window.status_text.isHidden()


def test_evaluate_explain_and_approve_checked(qtbot, window, customers, sqlite_db, answers):
    page = evaluate(qtbot, window)
    texts = {key: button.text() for key, button in page.filter_buttons.items()}
    assert texts == {
        "changes": "All changes 4",
        "up": "Promotions ▲ 2",
        "down": "Demotions ▼ 1",
        "new": "New 1",
        "same": "Unchanged 2",
        "overridden": "Overridden 1",
    }
    assert page.model.rowCount() == 4
    assert [page.model.row(r).name for r in range(4)] == ["华信科技", "长江机械", "西湖物流", "明德贸易"]

    # The explanation of the first row: one line per weighted dimension, the cut-off crossed.
    page.table.selectRow(row_of(page, "华信科技"))
    assert page.explain_title.text().endswith("华信科技")
    assert page.explain_table.rowCount() == 8
    assert page.explain_table.item(0, 0).text() == "Revenue, last 12 months"
    assert page.explain_table.item(0, 1).text() == "¥2,400,000.00"
    assert page.explain_table.item(0, 3).text() == "30"
    assert "Score 85 reaches VIP" in page.explain_reason.text()
    assert page.model.data(page.model.index(0, Column.NEW_TIER)) == "▲ VIP"

    # Check two rows with the keyboard, approve them with Ctrl+Enter.
    # Shortcuts reach the table only while it has the focus in the active window.
    window.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(page.table, Qt.Key.Key_Space)
    page.table.selectRow(row_of(page, "明德贸易"))
    qtbot.keyClick(page.table, Qt.Key.Key_Space)
    assert len(page.model.checked_ids) == 2
    assert page.approve_checked_button.text() == "Approve checked (2)"
    qtbot.keyClick(page.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(answers) == 2 and page.task is None)  # approved off the GUI thread
    assert answers[0].startswith("Give the 2 checked customers their proposed tier?")
    assert answers[1] == "2 customers got their new tier."

    service = CustomerService(sqlite_db)
    tiers = {name: service.get(DEFAULT_ACTOR, cid).data.tier for name, cid in customers.items()}
    assert tiers == {
        "华信科技": "vip",
        "明德贸易": "potential",
        "西湖物流": "",
        "长江机械": "normal",
        "光谷生物": "normal",
        "鹏达电子": "vip",
    }
    history = TierService(sqlite_db).history(DEFAULT_ACTOR, customers["华信科技"])
    assert [(h.kind, h.from_tier, h.to_tier, h.rule_version) for h in history] == [
        ("evaluation", "normal", "vip", 1)
    ]
    assert TierService(sqlite_db).history(DEFAULT_ACTOR, customers["长江机械"]) == []
    assert page.model.data(page.model.index(row_of(page, "华信科技"), Column.CHECK)) == "Applied"
    assert "2 applied" in page.evaluation_combo.currentText()

    # The overridden customer is listed as such and cannot be approved.
    page.filter_buttons["overridden"].click()
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, Column.CHECK)) == "Set by hand"
    assert not page.model.flags(page.model.index(0, Column.CHECK)) & Qt.ItemFlag.ItemIsUserCheckable


def test_search_and_approve_all(qtbot, window, customers, sqlite_db, answers):
    page = evaluate(qtbot, window)
    page.search.setText("长江")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    page.approve_all_button.click()
    qtbot.waitUntil(lambda: len(answers) == 2 and page.task is None)
    assert "all 4 customers" in answers[0]
    assert answers[1] == "4 customers got their new tier."
    service = CustomerService(sqlite_db)
    assert service.get(DEFAULT_ACTOR, customers["西湖物流"]).data.tier == "normal"
    assert service.get(DEFAULT_ACTOR, customers["鹏达电子"]).data.tier == "vip"  # overridden: kept
    assert not page.approve_all_button.isEnabled()
    assert not page.discard_button.isEnabled()


def test_discard(qtbot, window, sqlite_db, answers):
    page = evaluate(qtbot, window)
    page.discard_button.click()
    assert "4 proposed changes" in answers[0]
    assert TierService(sqlite_db).evaluations(DEFAULT_ACTOR) == []
    assert page.evaluation is None and page.model.rowCount() == 0
    assert page.banner.isVisible()


def test_rules_editor_saves_a_new_version(qtbot, window, sqlite_db):
    editor = window.show_tier_rules()
    qtbot.waitExposed(editor)
    service = TierService(sqlite_db)
    in_use = service.rule_set(DEFAULT_ACTOR)
    assert editor.info.id == in_use.id
    assert editor.version_label.text() == "version 1"
    assert not editor.dirty
    editor.weight_spins["revenue"].setValue(40)
    assert editor.dirty
    assert editor.save()
    assert editor.version_label.text() == "version 2"
    assert editor.saved_label.text() == "Saved as version 2."
    saved = service.rule_set(DEFAULT_ACTOR)
    assert saved.version == 2
    assert saved.definition.weights["revenue"] == 40
    # The preset tiers keep their keys and names.
    assert [t.key for t in saved.definition.tiers] == ["vip", "important", "normal", "potential"]
    assert editor.tiers.item(0, 0).text() == "VIP"

    # Thresholds that fall: the error names the dimension, nothing is saved, nothing typed is lost.
    row = list(editor.weight_spins).index("cooperation")
    editor.dimensions.item(row, 3).setText("5, 3")
    assert not editor.save()
    assert "Years of cooperation" in editor.errors_label.text()
    assert editor.dimensions.item(row, 0).toolTip() == editor.errors_label.text()
    assert editor.dimensions.item(row, 3).text() == "5, 3"
    assert service.rule_set(DEFAULT_ACTOR).version == 2
    editor.dimensions.item(row, 3).setText("one, two")
    assert not editor.save()
    assert "numbers separated by commas" in editor.errors_label.text()
    editor.revert()
    assert not editor.dirty
    editor.close()


def test_rules_editor_new_tier_and_switching(qtbot, window, sqlite_db, monkeypatch):
    editor = window.show_tier_rules()
    qtbot.waitExposed(editor)
    editor.add_tier()
    row = editor.tiers.rowCount() - 1
    editor.tiers.item(row, 0).setText("铂金")
    editor.tiers.item(row, 1).setText("95")
    # Switching to another rule set asks first; Cancel stays on the edited one.
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Cancel)
    first = editor.info.id
    editor.rule_list.setCurrentRow((editor.rule_list.currentRow() + 1) % editor.rule_list.count())
    assert editor.info.id == first and editor.dirty
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Save)
    editor.close()
    saved = TierService(sqlite_db).rule_set(DEFAULT_ACTOR, first)
    assert saved.definition.tiers[0].key == "铂金"  # the highest bar first
    assert saved.definition.tiers[0].min_score == 95


def test_company_name_in_settings(qtbot, window, sqlite_db, monkeypatch):
    def accept(dialog):
        assert dialog.company_edit is not None
        dialog.company_edit.setText("  北京客户管理   有限公司 ")
        return 1

    monkeypatch.setattr(SettingsDialog, "exec", accept)
    window.show_settings()
    assert office.read_company_name(sqlite_db) == "北京客户管理 有限公司"
    assert SettingsDialog(None, "en", first_start=True).company_edit is None


def test_the_list_reads_its_rows_a_page_at_a_time(qtbot, qtmodeltester, window, monkeypatch):
    from app.views import proposal_model

    monkeypatch.setattr(proposal_model, "PAGE_SIZE", 2)
    page = evaluate(qtbot, window)
    asked: list[tuple[int, int]] = []

    def fetch(offset: int, limit: int):
        asked.append((offset, limit))
        return page.tiers.proposals(
            DEFAULT_ACTOR, page.evaluation.id, ("up", "down", "new"), None, "", None, limit, offset
        )

    # A model of its own: the page's table fetches on by itself to fill its visible rows.
    model = proposal_model.ProposalModel()
    model.set_source(fetch, page.evaluation.definition)
    assert model.rowCount() == 2 and model.canFetchMore()
    model.fetchMore()
    model.fetchMore()  # a short page: the end
    assert asked == [(0, 2), (2, 2), (4, 2)]
    assert model.rowCount() == 4 and not model.canFetchMore()
    assert [model.row(r).name for r in range(4)] == ["华信科技", "长江机械", "西湖物流", "明德贸易"]
    qtmodeltester.check(model)


def test_save_pdf_draws_its_charts_on_the_gui_thread(qtbot, window, answers, tmp_path, monkeypatch):
    # pyqtgraph draws through a widget, and Qt lets only the GUI thread make widgets; the pages are
    # written on a worker thread.
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    from app.views import tier_report_print

    threads = []
    draw = tier_report_print._chart_image

    def recording(*args):
        threads.append(QThread.currentThread() is QApplication.instance().thread())
        return draw(*args)

    monkeypatch.setattr(tier_report_print, "_chart_image", recording)
    page = evaluate(qtbot, window)
    monkeypatch.setattr(page, "_report_filter", lambda _title: (None, None))
    target = tmp_path / "tiers.pdf"
    page.save_pdf(target)
    qtbot.waitUntil(lambda: target.exists() and page.task is None, timeout=20000)
    assert target.read_bytes().startswith(b"%PDF")
    assert threads == [True, True]
