"""GUI tests of the complaint statistics page: the hand-computed figures of tests/complaint_example.py on
screen and beside the bars, another period, reading again after a change, and the export."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from app.models import Complaint
from app.services.actor import DEFAULT_ACTOR
from app.services.complaint_stats import preset_period
from app.services.events import Change
from app.views.complaint_stats_page import CHOSEN, ComplaintStatsPage
from app.views.settings import Settings
from tests.complaint_example import AS_OF, END, START, ZONE, add_example, utc
from tests.gui.conftest import on_modal


def wait_read(qtbot, page: ComplaintStatsPage, start: date = START, end: date = END) -> None:
    qtbot.waitUntil(
        lambda: (
            page.task is None
            and page.stats is not None
            and (page.stats.start, page.stats.end) == (start, end)
        ),
        timeout=10_000,
    )


@pytest.fixture
def page(qtbot, sqlite_db, local_zone, tmp_path):
    local_zone(ZONE)
    add_example(sqlite_db)
    page = ComplaintStatsPage(sqlite_db, DEFAULT_ACTOR, Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(page)
    page.as_of = AS_OF
    page.resize(1100, 800)
    page.set_period(START, END)
    page.show()
    qtbot.waitExposed(page)
    wait_read(qtbot, page)
    yield page
    page.shutdown()


def figure(page: ComplaintStatsPage, name: str) -> tuple[str, str]:
    value, detail = page.figures[name]
    return value.text(), detail.text()


def test_the_page_shows_the_hand_computed_figures_and_the_numbers_beside_the_bars(page):
    # Worked out in tests/unit/test_complaint_stats.py.
    assert figure(page, "received") == ("7", "3 still open")
    assert figure(page, "resolved")[0] == "4"
    assert figure(page, "mean")[0] == "47.5 h"
    assert figure(page, "p90")[0] == "4.5 days"  # 108 h
    assert figure(page, "on_time") == ("50 %", "3 of 6")
    assert figure(page, "satisfaction") == ("3.7", "3 ratings")  # 11 / 3
    charts = page.charts
    assert charts["open_by_status"].pairs == [("Received", 2), ("Accepted", 0), ("Investigating", 1)]
    assert charts["open_by_status"].shown_numbers() == ["2", "0", "1"]
    assert charts["open_by_age"].shown_numbers() == ["0", "1", "1", "1", "0"]
    assert charts["by_category"].pairs == [("Delivery", 3), ("Billing", 2), ("Product quality", 2)]
    assert charts["by_tier"].pairs == [("VIP", 3), ("(no tier)", 2), ("Normal", 2)]
    assert charts["by_staff"].pairs == [("王芳", 4), ("李雷", 2), ("(nobody)", 1)]
    assert charts["by_staff"].shown_numbers() == ["4", "2", "1"]


def test_another_period_reads_its_own_figures(qtbot, page):
    page.to_edit.setDate(date(2024, 3, 15))  # as typed: the preset now says the dates were chosen
    assert page.preset_combo.currentData() == CHOSEN
    wait_read(qtbot, page, START, date(2024, 3, 15))
    # #1, #2 and #3, resolved in 10, 24 and 108 h.
    assert figure(page, "received") == ("3", "0 still open")
    assert figure(page, "mean")[0] == "47.3 h"  # 142 / 3
    assert page.charts["by_staff"].pairs == [("王芳", 2), ("李雷", 1)]
    assert page.charts["by_tier"].pairs == [("VIP", 2), ("Normal", 1)]

    page.preset_combo.setCurrentIndex(page.preset_combo.findData("this_year"))
    today = date.today()
    assert page.period() == (date(today.year, 1, 1), today)
    wait_read(qtbot, page, date(today.year, 1, 1), today)
    assert figure(page, "received")[0] == "0"
    assert page.charts["by_category"].pairs == []
    assert page.charts["by_category"].empty.isVisible()


def test_the_presets_count_back_from_today():
    assert preset_period("this_month", date(2024, 5, 31)) == (date(2024, 5, 1), date(2024, 5, 31))
    # Three months before 31 May is 29 February (no 31st), so the period starts the day after.
    assert preset_period("last_3_months", date(2024, 5, 31)) == (date(2024, 3, 1), date(2024, 5, 31))
    assert preset_period("this_year", date(2024, 5, 31)) == (date(2024, 1, 1), date(2024, 5, 31))
    assert preset_period("last_12_months", date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


def test_a_new_ticket_is_counted_when_the_page_is_shown_again(qtbot, page, sqlite_db):
    with sqlite_db.session() as session:
        customer_id = session.scalar(select(Complaint.customer_id).where(Complaint.number == 1))
        session.add(Complaint(number=11, customer_id=customer_id, received_at=utc(3, 12), status="new"))
    page.hide()
    page.on_change(Change("complaint"))
    qtbot.wait(50)
    assert page.task is None and figure(page, "received")[0] == "7"  # hidden: nothing read meanwhile
    page.show()
    qtbot.waitUntil(lambda: page.task is None and figure(page, "received")[0] == "8", timeout=10_000)
    assert page.charts["open_by_status"].pairs[0] == ("Received", 3)


def test_export_writes_the_figures_shown(qtbot, page, tmp_path):
    with qtbot.waitSignal(page.message) as said:
        written = page.export_to(tmp_path / "投诉统计.xlsx")
    assert "投诉统计.xlsx" in said.args[0]
    sheet = load_workbook(written).active
    figures = {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value}
    assert figures["Tickets received"] == 7
    assert figures["90th percentile resolution time (hours)"] == pytest.approx(108)


def test_an_export_that_cannot_be_written_says_why(page, tmp_path):
    said = []
    on_modal(QMessageBox, lambda box: said.append(box.text()))
    assert page.export_to(tmp_path / "missing" / "stats.xlsx") is None
    assert said and "Cannot write stats.xlsx" in said[0]


def test_a_period_that_ends_before_it_starts_is_refused_on_the_page(qtbot, page):
    page.from_edit.setDate(date(2024, 4, 1))
    qtbot.waitUntil(lambda: page.task is None and "before it starts" in page.status.text(), timeout=10_000)
    assert page.stats.start == START  # the figures shown stay those of March
    assert figure(page, "received")[0] == "7"
