"""Screenshots of the real windows for the README: run under an X server (Xvfb), both languages.

    xvfb-run -a -s "-screen 0 1400x860x24" python docs/take_screenshots.py

Builds a demo database in a temporary folder, opens the main window, a customer file, the import
wizard (mapping, preview, summary), the import history, the Tiers page with an evaluation to approve,
the tier rules, a customer's Tier tab and the first pages of the printed tier report in each language,
and saves what the X screen (or the PDF) shows to docs/screenshots/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import xlsxwriter
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWizard

from app import i18n
from app.bootstrap import Application
from app.db import open_database
from app.dialogs.contact_log_dialog import ContactLogDialog
from app.services import office, tier_report
from app.services.actor import DEFAULT_ACTOR, Actor
from app.services.contacts import ContactLogInput, ContactService
from app.services.customers import CustomerQuery, CustomerService
from app.services.demo import generate_demo
from app.services.demo_complaints import add_complaints
from app.services.demo_contacts import add_contact_work
from app.services.followups import FollowUpInput, FollowUpService
from app.services.imports import ImportService
from app.services.staff import StaffService
from app.services.tiers import TierService
from app.views import contact_actions
from app.views.import_wizard import MAPPING_PAGE, PREVIEW_PAGE, RUN_PAGE
from app.views.settings import Settings
from app.views.ticket_window import TicketDialog
from app.views.tier_report_print import write_pdf

OUT = Path(__file__).resolve().parent / "screenshots"


def settle(app: QApplication, ms: int = 400) -> None:
    # A local loop: QApplication.quit() would also close the windows we want to photograph.
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def grab(app: QApplication, name: str, window=None) -> None:
    """Save what the X screen shows: all of it, or just the area of `window`."""
    settle(app)
    path = OUT / name
    area = window.frameGeometry() if window is not None else None
    screen = QGuiApplication.primaryScreen()
    shot = (
        screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
        if area
        else screen.grabWindow(0)
    )
    shot.save(str(path))
    print(path)


def wait_until(app: QApplication, condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        settle(app, 50)


def messy_sheet(path: Path, existing: str) -> Path:
    """A customer list as offices keep them: a title row, full-width text, a bad e-mail, a row without a
    name, a customer already in ClientDesk and one customer on two rows."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("客户名单")
    headers = ["客户名称", "联系人", "手机", "邮箱", "所在城市", "客户等级", "年营业额(万元)", "跟进情况"]
    ws.merge_range(0, 0, 0, len(headers) - 1, "2025年重点客户名单", book.add_format({"bold": True}))
    ws.write_row(1, 0, headers, book.add_format({"bold": True, "bg_color": "#DDEBF7"}))
    rows = [
        [
            "北京华信科技有限公司",
            "张伟",
            "138 1234 5678",
            "zhangwei@huaxin.cn",
            "北京",
            "VIP",
            1200,
            "已签约",
        ],
        ["上海明德贸易有限公司", "李娜", "13900001111", "lina@mingde", "上海", "普通", 350, "报价中"],
        ["", "王强", "13700002222", "wq@example.cn", "广州", "普通", 80, ""],
        [existing, "赵敏", "13600003333", "", "", "重要", 560, ""],
        ["杭州西湖物流有限公司", "刘洋", "+86 135 0000 4444", "ly@xihu.cn", "杭州", "普通", 210, ""],
        ["北京华信科技有限公司", "陈静", "13400005555", "", "北京", "", None, "第二联系人"],
        ["苏州工业园区精密制造有限公司", "周杰", "15800006666", "zj@szjm.com", "苏州", "重要", 2300, ""],
        ["合计", "", "", "", "", "", 4700, ""],
    ]
    for index, row in enumerate(rows, start=2):
        ws.write_row(index, 0, row)
    ws.set_column(0, 0, 30)
    book.close()
    return path


def import_screens(qt_app: QApplication, window, tmp: str, language: str) -> None:
    """The wizard's mapping, preview and summary pages and the import history, as a user meets them."""
    existing = CustomerService(window.db).list(DEFAULT_ACTOR, CustomerQuery(), limit=1)[0].name
    sheet = messy_sheet(Path(tmp) / f"客户名单-{language}.xlsx", existing)
    wizard = window.show_import_wizard()
    wizard.setGeometry(80, 40, 1100, 720)
    wizard.file_page.path_edit.setText(str(sheet))
    wizard.button(QWizard.WizardButton.NextButton).click()
    wait_until(qt_app, lambda: wizard.currentId() == MAPPING_PAGE and not wizard.busy)
    grab(qt_app, f"import-mapping-{language}.png", wizard)
    wizard.button(QWizard.WizardButton.NextButton).click()
    wait_until(
        qt_app, lambda: wizard.currentId() == PREVIEW_PAGE and wizard.plan is not None and not wizard.busy
    )
    grab(qt_app, f"import-preview-{language}.png", wizard)
    wizard.preview_page.mode_valid.click()
    wizard.button(QWizard.WizardButton.CommitButton).click()
    wait_until(
        qt_app, lambda: wizard.currentId() == RUN_PAGE and wizard.run_page.finished and not wizard.busy
    )
    grab(qt_app, f"import-summary-{language}.png", wizard)
    batch = wizard.summary.batch
    wizard.accept()
    history = window.show_import_history()
    history.setGeometry(80, 120, 1180, 360)
    grab(qt_app, f"import-history-{language}.png", history)
    history.reject()
    # The next language imports the same file into the same database as a newcomer would.
    ImportService(window.db).undo(DEFAULT_ACTOR, batch)


def prepare_tiers(db) -> None:
    """Tiers as an office has them after a quarter: one evaluation approved, the next one waiting."""
    office.save_company_name(db, DEFAULT_ACTOR, "上海示例贸易有限公司")
    tiers = TierService(db)
    first = tiers.evaluate(DEFAULT_ACTOR, None, date(2026, 8, 31))
    tiers.apply(DEFAULT_ACTOR, first.id)
    tiers.evaluate(DEFAULT_ACTOR, None, date(2026, 11, 30))


def tier_screens(qt_app: QApplication, window, tmp: str, language: str) -> None:
    """The Tiers page with the waiting evaluation, the rules, a customer's Tier tab and the report."""
    window.show_tiers()
    page = window.tiers_page
    wait_until(qt_app, lambda: page.model.rowCount() > 0)
    page.table.selectRow(0)
    grab(qt_app, f"tiers-{language}.png")
    customer_id = page.current_customer()
    rules = window.show_tier_rules()
    rules.setGeometry(60, 40, 1280, 780)
    grab(qt_app, f"tier-rules-{language}.png", rules)
    rules.close()
    customer = window.open_customer(customer_id)
    customer.setGeometry(120, 40, 1100, 800)
    customer.tabs.setCurrentWidget(customer.tier_tab)
    grab(qt_app, f"customer-tier-{language}.png", customer)
    customer.close()
    pdf = Path(tmp) / f"tiers-{language}.pdf"
    write_pdf(tier_report.gather(window.db, DEFAULT_ACTOR), pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-f",
            "1",
            "-l",
            "2",
            str(pdf),
            str(OUT / f"tier-report-{language}"),
        ],
        check=True,
    )
    print(*sorted(OUT.glob(f"tier-report-{language}-*.png")), sep="\n")
    window.show_page(window.customers_page)


def prepare_contacts(db) -> tuple:
    """A year of contact work on the demo customers, and one customer whose timeline tells a story.

    Returns the department manager the screenshots are taken as, and that customer's id."""
    add_contact_work(db, DEFAULT_ACTOR, "C000001", "C999999", seed=7)
    add_complaints(db, DEFAULT_ACTOR, "C000001", "C999999", seed=7)
    manager = next(s for s in StaffService(db).staff(DEFAULT_ACTOR) if s.role == "manager" and s.customers)
    me = Actor(staff_id=manager.id, name=manager.name, role=manager.role)
    mine = CustomerQuery(manager_id=manager.id)
    customer = CustomerService(db).list(DEFAULT_ACTOR, mine, offset=0, limit=1)[0]
    contacts, follow_ups = ContactService(db), FollowUpService(db)
    now = datetime.now(timezone.utc)
    story = [
        (
            40,
            "visit",
            "年度采购计划",
            "拜访采购总监，明年扩产两条生产线，需新型号设备约30台。",
            "提交方案和报价",
        ),
        (33, "email", "方案与报价", "发送选型方案和阶梯报价，客户要求同行业案例。", "整理三个案例"),
        (21, "meeting", "技术交流会", "与技术部讨论能耗指标，客户认可节能型号。", "安排试用"),
        (9, "phone", "试用反馈", "试用设备运行稳定，客户希望交货期缩短到45天。", "与生产部确认交期"),
    ]
    for days, kind, subject, summary, outcome in story:
        contacts.log(
            me,
            customer.id,
            ContactLogInput(
                kind=kind,
                occurred_at=now - timedelta(days=days),
                subject=subject,
                summary=summary,
                outcome=outcome,
            ),
        )
    due = date.today() + timedelta(days=2)
    follow_ups.create(me, FollowUpInput(customer.id, due, me.staff_id, "确认交期并催签合同"))
    return me, customer.id


def contact_screens(qt_app: QApplication, window, customer_id, language: str) -> None:
    """My day, a customer's Timeline tab, the contact log dialog, the service watch, the handover wizard
    and the staff window."""
    window.show_page(window.my_day_page)
    wait_until(qt_app, lambda: window.my_day_page.overdue_table.rowCount() > 0)
    grab(qt_app, f"my-day-{language}.png")
    customer = window.open_customer(customer_id)
    customer.setGeometry(120, 40, 1150, 760)
    customer.tabs.setCurrentWidget(customer.timeline_tab)
    grab(qt_app, f"customer-timeline-{language}.png", customer)
    dialog = ContactLogDialog(
        customer, contact_actions.log_context(window.db, window.actor, customer_id, new=True)
    )
    dialog.subject.setText("确认交期" if language == "zh_CN" else "Delivery date")
    dialog.show()
    dialog.move(300, 60)
    grab(qt_app, f"contact-log-{language}.png", dialog)
    dialog.close()
    customer.close()
    window.show_page(window.watch_page)
    wait_until(qt_app, lambda: window.watch_page.lapsed_model.rowCount() > 0)
    grab(qt_app, f"service-watch-{language}.png")
    wizard = window.show_handover(window.actor.staff_id)
    wizard.setGeometry(100, 50, 1240, 720)
    wizard.next()
    offered = wizard.customers_page.recipient_list
    wizard.customers_page.set_recipients([offered.item(row).data(Qt.ItemDataRole.UserRole) for row in (0, 1)])
    wizard.customers_page.set_split_mode("revenue")
    grab(qt_app, f"handover-{language}.png", wizard)
    wizard.reject()
    staff = window.show_staff()
    staff.setGeometry(160, 60, 1000, 620)
    grab(qt_app, f"staff-{language}.png", staff)
    staff.close()
    window.show_page(window.customers_page)


def complaint_screens(qt_app: QApplication, window, language: str) -> None:
    """The Complaints page, one ticket with its history, and the complaint statistics."""
    window.show_page(window.tickets_page)
    page = window.tickets_page
    page.clear_filters()
    page.set_status_filter("all")
    wait_until(qt_app, lambda: page.model.rowCount() > 0)
    grab(qt_app, f"complaints-{language}.png")
    # A ticket that went the whole way round: its History tab tells the story.
    closed = next(row for row in page.model.rows if row.status == "closed")
    dialog = TicketDialog(window.db, window.actor, ticket_id=closed.id, parent=window)
    dialog.setGeometry(200, 40, 900, 700)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.resolution_tab)
    grab(qt_app, f"complaint-ticket-{language}.png", dialog)
    dialog.tabs.setCurrentWidget(dialog.history_tab)
    grab(qt_app, f"complaint-history-{language}.png", dialog)
    dialog.dirty = False
    dialog.reject()
    dialog.deleteLater()
    page.set_status_filter("open")
    window.show_page(window.complaint_stats_page)
    stats = window.complaint_stats_page
    wait_until(qt_app, lambda: stats.task is None and stats.stats is not None)
    settle(qt_app, 600)
    grab(qt_app, f"complaint-stats-{language}.png")
    window.show_page(window.customers_page)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    qt_app = QApplication(sys.argv[:1])
    qt_app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/screens.db")
        generate_demo(db, DEFAULT_ACTOR, 2000, seed=7)
        prepare_tiers(db)
        me, story_customer = prepare_contacts(db)
        # One Application for both languages: switching removes the Qt translator the first installed,
        # so the English shots do not keep Qt's Chinese button texts.
        app = Application(qt_app, Settings(f"{tmp}/settings.ini"), db)
        for language in ("zh_CN", "en"):
            app.settings = Settings(f"{tmp}/settings-{language}.ini")
            app.settings.staff_id = me.staff_id  # a department manager: their day, and the office's
            app.apply_language(language)
            window = app.show_main_window()
            window.setGeometry(0, 0, 1400, 860)
            grab(qt_app, f"customers-{language}.png")
            page = window.customers_page
            page.search.setText("科技" if language == "zh_CN" else "sh")
            page.apply_filters()
            grab(qt_app, f"customers-search-{language}.png")
            page.table.selectRow(0)
            customer = window.open_customer(page.model.customer_id(0))
            customer.setGeometry(120, 60, 1100, 720)
            grab(qt_app, f"customer-basic-{language}.png", customer)
            customer.tabs.setCurrentWidget(customer.contacts_tab)
            grab(qt_app, f"customer-contacts-{language}.png", customer)
            customer.tabs.setCurrentWidget(customer.transactions_tab)
            grab(qt_app, f"customer-transactions-{language}.png", customer)
            customer.close()
            contact_screens(qt_app, window, story_customer, language)
            import_screens(qt_app, window, tmp, language)
            tier_screens(qt_app, window, tmp, language)
            complaint_screens(qt_app, window, language)
            window.close()
            window.deleteLater()
            settle(qt_app, 100)
        db.dispose()
    i18n.set_language("en")
    return 0


if __name__ == "__main__":
    code = main()
    # PySide6 6.12's Signal.emit() loses a reference to True on each call, and CPython 3.11's last
    # garbage collection then aborts (bool_dealloc). Everything is saved by now: leave without it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
