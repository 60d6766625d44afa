"""GUI tests of the Service watch page: customers without contact, Reassign, key customers short of staff,
the account managers' figures read in the background, the watch days, and reloading after changes."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.dialogs.watch_days_dialog import WatchDaysDialog
from app.services import watch
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.contacts import ContactLogInput, ContactService
from app.services.customers import CustomerInput, CustomerService, TransactionInput
from app.services.events import Change
from app.services.followups import FollowUpInput, FollowUpService
from app.services.staff import StaffInput, StaffService
from app.views.settings import Settings
from app.views.watch_page import OVERVIEW_TAB, UNDERSTAFFED_TAB, WatchPage
from tests.gui.conftest import on_modal

ME = DEFAULT_ACTOR
TODAY = date.today()


def days_ago(days: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), time(10, 0), timezone.utc)


@pytest.fixture
def office(sqlite_db) -> SimpleNamespace:
    """王芳 manages N100 (last contact 100 days ago), N030 (30 days ago), R200 (never contacted, registered
    200 days ago) and the key customers K1 (alone) and K2 (with 李雷 as additional staff); 李雷 manages
    V045, a VIP (watched at 30 days) last contacted 45 days ago."""
    db = sqlite_db
    staff = StaffService(db)
    customers = CustomerService(db)
    contacts = ContactService(db)
    watch.save_watch_days(db, ME, {"vip": 30})
    wang = staff.save(ME, StaffInput(name="王芳")).id
    li = staff.save(ME, StaffInput(name="李雷")).id
    old = TODAY - timedelta(days=400)
    ids = {}

    def add(code: str, manager: uuid.UUID, tier: str, registered: date = old, **kwargs) -> uuid.UUID:
        data = CustomerInput(
            name=f"客户{code}", code=code, manager_id=manager, tier=tier, registered_on=registered, **kwargs
        )
        ids[code] = customers.create(ME, data).id
        return ids[code]

    def contact(code: str, days: int, who: uuid.UUID) -> None:
        contacts.log(
            ME, ids[code], ContactLogInput(occurred_at=days_ago(days), staff_ids=(who,), subject="Call")
        )

    add("N100", wang, "normal")
    contact("N100", 100, wang)
    add("N030", wang, "normal")
    contact("N030", 30, wang)
    add("R200", wang, "important", registered=TODAY - timedelta(days=200))
    add("K1", wang, "", category="key", registered=TODAY)
    add("K2", wang, "", category="key", registered=TODAY)
    staff.set_customer_staff(ME, ids["K2"], [li])
    contact("K2", 5, wang)
    add("V045", li, "vip")
    contact("V045", 45, li)
    for code, days, amount in (
        ("N100", 10, "1000.50"),
        ("K1", 100, "200"),
        ("N030", 400, "50"),
        ("V045", 3, "300"),
    ):
        customers.save_transaction(
            ME, ids[code], TransactionInput(occurred_on=TODAY - timedelta(days=days), amount=Decimal(amount))
        )
    follow_ups = FollowUpService(db)
    follow_ups.create(ME, FollowUpInput(ids["N100"], TODAY - timedelta(days=1), wang, "Overdue call"))
    follow_ups.create(ME, FollowUpInput(ids["N030"], TODAY + timedelta(days=1), wang, "Call tomorrow"))
    return SimpleNamespace(db=db, wang=wang, li=li, ids=ids)


def make_page(qtbot, db, tmp_path, actor: Actor = ME) -> WatchPage:
    page = WatchPage(db, actor, Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(page)
    page.resize(1280, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def page(qtbot, office, tmp_path):
    page = make_page(qtbot, office.db, tmp_path)
    yield page
    page.shutdown()  # a thread still reading when the page goes would take the process with it


def column(table, col: int) -> list[str]:
    model = table.model()
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_customers_without_contact(qtbot, page, office):
    table = page.lapsed_table
    # Per tier: R200 200 days (never), N100 100 > 90, V045 45 > 30 (VIP); N030's 30 days are within 90.
    assert column(table, 0) == ["R200", "N100", "V045"]
    assert column(table, 6) == ["200", "100", "45"]
    assert page.lapsed_count.text() == "3 customers without contact for longer than their tier allows"
    assert column(table, 5)[0] == "never"
    assert column(table, 4) == ["王芳", "王芳", "李雷"]
    assert column(table, 2) == ["Important", "Normal", "VIP"]
    days = table.model().index(0, 6)
    assert days.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    # 200 days against 90 is more than twice the limit: the darkest red; 100 against 90, the mildest.
    assert days.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b71c1c"
    assert table.model().index(1, 6).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#9a6700"

    page.per_tier.setChecked(False)
    page.days_spin.setValue(90)
    assert column(table, 0) == ["R200", "N100"]  # V045's 45 days are not more than 90
    assert page.lapsed_count.text() == "2 customers without contact for more than 90 days"
    page.days_spin.setValue(20)
    qtbot.waitUntil(lambda: page.lapsed_total == 4)  # read again once the spin box rests
    assert column(table, 0) == ["R200", "N100", "V045", "N030"]

    page.per_tier.setChecked(True)
    page.set_staff(office.li)
    assert column(table, 0) == ["V045"]
    assert page.lapsed_count.text() == "1 customers without contact for longer than their tier allows"


def test_only_the_longest_are_listed(qtbot, page, office, monkeypatch):
    monkeypatch.setattr("app.views.watch_page.LAPSED_LIMIT", 2)
    page.reload()
    assert column(page.lapsed_table, 0) == ["R200", "N100"]
    assert page.lapsed_count.text() == (
        "3 customers without contact for longer than their tier allows — showing the 2 longest"
    )


def test_reassign_and_open(qtbot, page, office):
    table = page.lapsed_table
    requests: list[tuple] = []
    opened: list[uuid.UUID] = []
    page.reassign_requested.connect(lambda staff_id, ids: requests.append((staff_id, ids)))
    page.open_customer.connect(opened.append)
    assert not page.reassign_button.isEnabled()
    table.selectRow(0)
    table.selectionModel().select(
        table.model().index(1, 0),
        table.selectionModel().SelectionFlag.Select | table.selectionModel().SelectionFlag.Rows,
    )
    page.reassign_button.click()
    assert requests == [(office.wang, [office.ids["R200"], office.ids["N100"]])]

    # Customers of two account managers cannot go in one handover: the page says so.
    table.selectAll()
    seen: list[str] = []
    on_modal(QMessageBox, lambda box: (seen.append(box.text()), box.accept()))
    page.reassign_button.click()
    assert seen and seen[0].startswith("The selected customers have 2 different account managers.")
    assert len(requests) == 1

    table.clearSelection()
    table.doubleClicked.emit(table.model().index(2, 1))
    assert opened == [office.ids["V045"]]


def test_key_customers_short_of_staff(qtbot, page, office):
    table = page.understaffed_table
    assert table.model().rowCount() == 0  # read when its tab is shown: a reload reads one list
    page.tabs.setCurrentIndex(UNDERSTAFFED_TAB)
    # K1: a key customer with only its account manager; V045: a VIP (the top tier) likewise. K2 has 李雷 too.
    assert column(table, 0) == ["K1", "V045"]
    assert column(table, 5) == ["1", "1"]
    assert column(table, 3) == ["Key", "Potential"]
    assert page.understaffed_count.text().startswith("2 key customers are served by fewer than two staff.")
    opened: list[uuid.UUID] = []
    page.open_customer.connect(opened.append)
    table.doubleClicked.emit(table.model().index(0, 0))
    assert opened == [office.ids["K1"]]

    StaffService(office.db).set_customer_staff(ME, office.ids["K1"], [office.li])
    page.on_change(Change("customer", frozenset({office.ids["K1"]})))
    qtbot.waitUntil(lambda: column(table, 0) == ["V045"])


def test_the_account_managers_overview(qtbot, page, office, tmp_path):
    assert page.overview_model.rowCount() == 0  # not read until its tab is shown
    assert page.overview_task is None
    page.tabs.setCurrentIndex(OVERVIEW_TAB)
    assert page.overview_task is not None  # read off the GUI thread: the tab shows at once
    assert page.overview_status.text() == "Reading the figures…"
    qtbot.waitUntil(lambda: page.overview_task is None and page.overview_model.rowCount() > 0, timeout=10000)
    rows = {row.name: row for row in page.overview_model.rows}
    assert set(rows) == {"Administrator", "王芳", "李雷"}
    table = page.overview_table
    model = table.model()
    texts = {
        model.index(r, 0).data(): [model.index(r, c).data() for c in range(9)]
        for r in range(model.rowCount())
    }
    # Name, department, customers, by tier, revenue, contacts 30/90 days, overdue follow-ups, without contact.
    assert texts["王芳"] == [
        "王芳",
        "",
        "5",
        "Important 1 · Normal 2 · No tier 2",
        "¥1,200.50",
        "1",
        "2",
        "1",
        "2",
    ]
    assert texts["李雷"] == ["李雷", "", "1", "VIP 1", "¥300.00", "0", "1", "0", "1"]
    wang = [model.index(r, 0).data() for r in range(model.rowCount())].index("王芳")
    overdue = model.index(wang, 7)
    assert overdue.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    li = [model.index(r, 0).data() for r in range(model.rowCount())].index("李雷")
    assert model.index(li, 7).data(Qt.ItemDataRole.ForegroundRole) is None
    assert page.overview_status.text().startswith("As of ")
    assert Settings(str(tmp_path / "settings.ini")).watch_tab == OVERVIEW_TAB  # shown first next time


def test_changes_while_hidden_wait_for_the_page_to_show(qtbot, page, office):
    page.hide()
    ContactService(office.db).log(ME, office.ids["N100"], ContactLogInput(subject="Called at last"))
    page.on_change(Change("contact_log", frozenset({office.ids["N100"]})))
    qtbot.wait(20)
    assert "N100" in column(page.lapsed_table, 0)  # hidden: not read yet
    page.show()
    qtbot.waitExposed(page)
    assert column(page.lapsed_table, 0) == ["R200", "V045"]


def test_watch_days(qtbot, page, office):
    seen = {}

    def edit(dialog: WatchDaysDialog) -> None:
        seen["tiers"] = list(dialog.spins)
        seen["vip"] = dialog.spins["vip"].value()
        dialog.spins["normal"].setValue(120)  # N100's 100 days are then within its limit
        dialog.accept()

    on_modal(WatchDaysDialog, edit)
    page.watch_days_button.click()
    assert seen == {"tiers": ["vip", "important", "normal", "potential", ""], "vip": 30}
    assert watch.watch_days(office.db) == {"vip": 30, "important": 90, "normal": 120, "potential": 90, "": 90}
    assert column(page.lapsed_table, 0) == ["R200", "V045"]


def test_a_sales_person_watches_their_own_customers(qtbot, office, tmp_path):
    actor = Actor(staff_id=office.li, name="李雷", role="sales")
    page = make_page(qtbot, office.db, tmp_path, actor)
    assert not page.manager_combo.isEnabled()
    assert column(page.lapsed_table, 0) == ["V045"]
    assert page.reassign_button.isHidden() and page.watch_days_button.isHidden()
    page.tabs.setCurrentIndex(OVERVIEW_TAB)
    qtbot.waitUntil(lambda: page.overview_task is None and page.overview_model.rowCount() > 0, timeout=10000)
    assert [row.name for row in page.overview_model.rows] == ["李雷"]


def test_sorting_and_reloading_keep_the_selection(qtbot, page, office, qtmodeltester):
    qtmodeltester.check(page.lapsed_model)
    table = page.lapsed_table
    table.selectRow(1)
    page.reload()
    assert [c.code for c in page.selected_lapsed()] == ["N100"]
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert column(table, 0) == ["N100", "R200", "V045"]
    assert [c.code for c in page.selected_lapsed()] == ["N100"]  # the customer, not the row number
    page.reload()
    assert column(table, 0) == ["N100", "R200", "V045"]  # the user's order stays
    assert [c.code for c in page.selected_lapsed()] == ["N100"]
