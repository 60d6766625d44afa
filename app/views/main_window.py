"""The main window: menus, shortcuts, the pages (My day, Customers, Tiers, Service watch, Complaints)."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QPushButton, QStackedWidget, QToolBar

from app import __version__
from app.db import Database
from app.dialogs.settings_dialog import SettingsDialog
from app.i18n import _, current_language, format_date
from app.models.enums import StaffRole
from app.services import exports, office
from app.services.actor import Actor
from app.services.contacts import ContactService
from app.services.customers import CustomerService
from app.services.errors import Cancelled, ServiceError
from app.services.imports import ImportService, ImportSummary
from app.services.tiers import TierService
from app.views import contact_actions, file_choice, import_actions
from app.views.complaint_policy_dialog import ComplaintPolicyDialog
from app.views.complaint_stats_page import ComplaintStatsPage
from app.views.customer_table_model import EXPORT_KEYS
from app.views.customer_window import CustomerWindow
from app.views.customers_page import CustomersPage
from app.views.deadline_watch import DeadlineWatch
from app.views.handover_wizard import HandoverWizard
from app.views.holidays_window import HolidaysWindow
from app.views.import_history import ImportHistoryDialog
from app.views.import_wizard import ImportWizard
from app.views.my_day_page import MyDayPage
from app.views.qt_events import ChangeNotifier
from app.views.settings import Settings
from app.views.staff_window import StaffWindow
from app.views.tasks import Task
from app.views.tickets_page import TicketsPage
from app.views.tier_rules_editor import TierRulesEditor
from app.views.tiers_page import TiersPage
from app.views.watch_page import WatchPage


class MainWindow(QMainWindow):
    language_chosen = Signal(str)
    user_chosen = Signal(object)  # the staff member (uuid) who now works at this computer

    def __init__(self, db: Database, actor: Actor, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle(_("ClientDesk — Customers"))
        self.db = db
        self.actor = actor
        self.settings = settings
        self.service = CustomerService(db)
        self.imports = ImportService(db)
        self.export_task: Task | None = None
        self.undo_stack = QUndoStack(self)
        self.customer_windows: list[CustomerWindow] = []

        self.customers_page = CustomersPage(self.service, actor, settings, self.undo_stack, self)
        self.customers_page.open_requested.connect(self.open_customer)
        self.customers_page.import_requested.connect(self.show_import_wizard)
        self.tiers_page = TiersPage(db, actor, settings, self)
        self.tiers_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.tiers_page.rules_requested.connect(self.show_tier_rules)
        self.tier_rules: TierRulesEditor | None = None
        self.my_day_page = MyDayPage(db, actor, settings, self)
        self.my_day_page.open_customer.connect(self.open_customer)
        self.my_day_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.watch_page = WatchPage(db, actor, settings, self)
        self.watch_page.open_customer.connect(self.open_customer)
        self.watch_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.watch_page.reassign_requested.connect(
            lambda staff_id, ids: self.show_handover(staff_id, customer_ids=ids)
        )
        self.tickets_page = TicketsPage(db, actor, settings, self)
        self.tickets_page.open_customer.connect(self.open_customer)
        self.tickets_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.my_day_page.open_ticket.connect(self.tickets_page.open_ticket)
        self.my_day_page.reassign_requested.connect(
            lambda staff_id, ids: self.show_handover(staff_id, customer_ids=ids)
        )
        self.complaint_stats_page = ComplaintStatsPage(db, actor, settings, self)
        self.complaint_stats_page.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.staff_window: StaffWindow | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self.my_day_page)
        self.pages.addWidget(self.customers_page)
        self.pages.addWidget(self.tiers_page)
        self.pages.addWidget(self.watch_page)
        self.pages.addWidget(self.tickets_page)
        self.pages.addWidget(self.complaint_stats_page)
        self.setCentralWidget(self.pages)

        self.status_text = QLabel()
        self.status_text.setObjectName("status_text")
        self.statusBar().addWidget(self.status_text, 1)
        location = QLabel(db.where)
        location.setObjectName("database_label")
        location.setToolTip(_("Database: {where}").format(where=db.where))
        self.statusBar().addPermanentWidget(location)
        # A reminder, not a modal box: a small button that stays until the evaluation is done.
        self.due_button = QPushButton(_("Tier evaluation due"))
        self.due_button.setObjectName("tier_due")
        self.due_button.setFlat(True)
        self.due_button.setStyleSheet("QPushButton { color: #8a5a00; font-weight: bold; }")
        self.due_button.clicked.connect(self.show_tiers)
        self.due_button.hide()
        self.statusBar().addPermanentWidget(self.due_button)
        self.customers_page.status_changed.connect(self.status_text.setText)
        self.customers_page.hint.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.customers_page.announce()
        self.me_label = QLabel(actor.name)
        self.me_label.setObjectName("current_user")
        self.me_label.setToolTip(_("Who works at this computer: change it in Settings."))
        self.statusBar().addPermanentWidget(self.me_label)

        # Overdue complaints escalate at start and every few minutes while the window is open.
        self.deadline_watch = DeadlineWatch(db, actor, self)
        self.deadline_watch.message.connect(lambda text: self.statusBar().showMessage(text, 10000))

        self.notifier = ChangeNotifier(self)
        self.notifier.changed.connect(self._on_change)
        self._build_menus()
        self.show_start_page()
        self.update_due()

        geometry = settings.geometry("main_window")
        if geometry.isEmpty():
            self.resize(1280, 760)
        else:
            self.restoreGeometry(geometry)
        state = settings.main_window_state
        if not state.isEmpty():
            self.restoreState(state)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self.new_action = self._action(
            _("&New customer"), QKeySequence.StandardKey.New, lambda: self.open_customer(None)
        )
        file_menu.addAction(self.new_action)
        file_menu.addSeparator()
        self.import_action = self._action(_("&Import…"), QKeySequence("Ctrl+I"), self.show_import_wizard)
        file_menu.addAction(self.import_action)
        file_menu.addAction(self._action(_("Import &history…"), None, self.show_import_history))
        file_menu.addSeparator()
        self.export_action = self._action(
            _("&Export customer list…"), QKeySequence("Ctrl+E"), lambda: self.export("customers")
        )
        file_menu.addAction(self.export_action)
        file_menu.addAction(
            self._action(_("Export &transactions…"), None, lambda: self.export("transactions"))
        )
        file_menu.addAction(
            self._action(_("Export contact &logs…"), None, lambda: self.export("contact-logs"))
        )
        file_menu.addAction(self._action(_("Save import &template…"), None, self.save_template))
        file_menu.addSeparator()
        settings_action = self._action(
            _("&Settings…"), QKeySequence.StandardKey.Preferences, self.show_settings
        )
        settings_action.setShortcuts([QKeySequence("Ctrl+,")])
        file_menu.addAction(settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action(_("&Quit"), QKeySequence.StandardKey.Quit, self.close))

        edit_menu = bar.addMenu(_("&Edit"))
        self.undo_action = self.undo_stack.createUndoAction(self, _("&Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, _("&Redo"))
        self.redo_action.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(
            self._action(_("&Find"), QKeySequence.StandardKey.Find, self.customers_page.focus_search)
        )
        edit_menu.addAction(self.customers_page.open_action)
        edit_menu.addAction(self.customers_page.delete_action)

        view_menu = bar.addMenu(_("&View"))
        view_menu.addAction(self._action(_("&Refresh"), QKeySequence.StandardKey.Refresh, self.refresh))
        self.deleted_action = QAction(_("&Deleted customers"), self)
        self.deleted_action.setCheckable(True)
        self.deleted_action.toggled.connect(
            lambda on: self.customers_page.view_mode.setCurrentIndex(1 if on else 0)
        )
        self.customers_page.view_mode.currentIndexChanged.connect(
            lambda i: self.deleted_action.setChecked(i == 1)
        )
        view_menu.addAction(self.deleted_action)
        view_menu.addSeparator()
        self.page_group = QActionGroup(self)
        self.page_group.setExclusive(True)
        self.my_day_action = self._page_action(_("&My day"), "Ctrl+1", self.my_day_page)
        self.customers_action = self._page_action(_("&Customers"), "Ctrl+2", self.customers_page)
        self.tiers_action = self._page_action(_("&Tiers"), "Ctrl+3", self.tiers_page)
        self.watch_action = self._page_action(_("Service &watch"), "Ctrl+4", self.watch_page)
        self.tickets_action = self._page_action(_("Com&plaints"), "Ctrl+5", self.tickets_page)
        self.complaint_stats_action = self._page_action(
            _("Complaint &statistics"), "Ctrl+6", self.complaint_stats_page
        )
        self.customers_action.setChecked(True)
        view_menu.addAction(self.my_day_action)
        view_menu.addAction(self.customers_action)
        view_menu.addAction(self.tiers_action)
        view_menu.addAction(self.watch_action)
        view_menu.addAction(self.tickets_action)
        view_menu.addAction(self.complaint_stats_action)
        toolbar = QToolBar(_("Pages"), self)
        toolbar.setObjectName("pages_toolbar")  # saveState/restoreState find it by name
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.my_day_action)
        toolbar.addAction(self.customers_action)
        toolbar.addAction(self.tiers_action)
        toolbar.addAction(self.watch_action)
        toolbar.addAction(self.tickets_action)
        toolbar.addAction(self.complaint_stats_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        view_menu.addAction(toolbar.toggleViewAction())

        contacts_menu = bar.addMenu(_("C&ontacts"))
        self.log_action = self._action(_("&Log contact…"), QKeySequence("Ctrl+L"), self.log_contact)
        contacts_menu.addAction(self.log_action)
        contacts_menu.addSeparator()
        contacts_menu.addAction(self._action(_("&Holidays and greetings…"), None, self.show_holidays))

        complaints_menu = bar.addMenu(_("Com&plaints"))
        # Ctrl+K: 客诉 (kèsù), a customer complaint.
        self.new_complaint_action = self._action(
            _("&New complaint…"), QKeySequence("Ctrl+K"), self.new_complaint
        )
        complaints_menu.addAction(self.new_complaint_action)
        complaints_menu.addAction(self.tickets_action)
        complaints_menu.addAction(self.complaint_stats_action)
        complaints_menu.addSeparator()
        self.complaint_policy_action = self._action(
            _("Complaint &policy and categories…"), None, self.show_complaint_policy
        )
        self.complaint_policy_action.setVisible(self.actor.is_manager)  # the service refuses others anyway
        complaints_menu.addAction(self.complaint_policy_action)

        staff_menu = bar.addMenu(_("&Staff"))
        staff_menu.addAction(self._action(_("&Staff and departments…"), None, self.show_staff))
        self.handover_action = self._action(_("&Handover of customers…"), None, lambda: self.show_handover())
        self.handover_action.setVisible(self.actor.is_manager)  # the service refuses others anyway
        staff_menu.addAction(self.handover_action)
        staff_menu.addSeparator()
        staff_menu.addAction(self.watch_action)

        tiers_menu = bar.addMenu(_("&Tiers"))
        tiers_menu.addAction(self._action(_("&Evaluate tiers…"), None, self.show_tiers))
        tiers_menu.addAction(self._action(_("Tier &rules…"), None, self.show_tier_rules))
        tiers_menu.addSeparator()
        tiers_menu.addAction(self._action(_("&Print tier report…"), None, self.tiers_page.print_report))
        tiers_menu.addAction(
            self._action(_("Save tier report as &PDF…"), None, lambda: self.tiers_page.save_pdf())
        )
        tiers_menu.addAction(
            self._action(_("E&xport tier table…"), None, lambda: self.tiers_page.export_table())
        )

        help_menu = bar.addMenu(_("&Help"))
        help_menu.addAction(self._action(_("&About ClientDesk"), None, self.show_about))

    def _page_action(self, text: str, shortcut: str, page) -> QAction:
        action = QAction(text, self)
        action.setCheckable(True)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda: self.show_page(page))
        self.page_group.addAction(action)
        self.addAction(action)
        return action

    def _action(self, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- customers

    def open_customer(self, customer_id: uuid.UUID | None) -> CustomerWindow:
        """Open a customer file in its own window (or bring an already open one forward)."""
        for window in self.customer_windows:
            if customer_id is not None and window.customer_id == customer_id:
                window.showNormal()
                window.raise_()
                window.activateWindow()
                return window
        staff = self.service.staff(self.actor)
        window = CustomerWindow(
            self.service, self.actor, staff, self.settings, customer_id, imports=self.imports
        )
        window.destroyed.connect(lambda *_args, w=window: self.customer_windows.remove(w))
        self.customer_windows.append(window)
        window.show()
        return window

    def _on_change(self, change) -> None:
        if change.entity == "customer":
            self.customers_page.refresh()
        self.tiers_page.on_change(change)
        self.my_day_page.on_change(change)
        self.watch_page.on_change(change)
        self.tickets_page.on_change(change)
        self.complaint_stats_page.on_change(change)
        if change.entity in ("tier_evaluation", "tier_rule_set"):
            self.update_due()

    # -- pages and tiers

    def show_page(self, page) -> None:
        self.pages.setCurrentWidget(page)
        self.status_text.setVisible(page is self.customers_page)  # the list's count and filter
        titles = {
            self.my_day_page: (self.my_day_action, _("ClientDesk — My day")),
            self.customers_page: (self.customers_action, _("ClientDesk — Customers")),
            self.tiers_page: (self.tiers_action, _("ClientDesk — Tiers")),
            self.watch_page: (self.watch_action, _("ClientDesk — Service watch")),
            self.tickets_page: (self.tickets_action, _("ClientDesk — Complaints")),
            self.complaint_stats_page: (self.complaint_stats_action, _("ClientDesk — Complaint statistics")),
        }
        for shown, (action, title) in titles.items():
            action.setChecked(shown is page)
            if shown is page:
                self.setWindowTitle(title)

    def show_start_page(self) -> None:
        """Sales staff start the day on My day; managers and the administrator on the customer list."""
        self.show_page(self.my_day_page if self.actor.role == StaffRole.SALES.value else self.customers_page)

    # -- contacts

    def log_contact(self) -> None:
        """Log a contact with what the current page has selected (a follow-up or care reminder on My day
        answers it), or with a customer the user picks."""
        page = self.pages.currentWidget()
        if page is self.my_day_page and self.my_day_page.current_follow_up() is not None:
            self.my_day_page.log_follow_up()
            return
        if page is self.my_day_page and self.my_day_page.current_reminder() is not None:
            self.my_day_page.log_reminder()
            return
        selected = []
        if page is self.customers_page:
            selected = self.customers_page.selected_ids()
        elif page is self.watch_page:
            selected = self.watch_page.selected_lapsed_ids()
        customer_id = selected[0] if len(selected) == 1 else None
        if customer_id is None:
            picker = contact_actions.CustomerPicker(self, self.service, self.actor, _("Log a contact"))
            if not picker.exec() or picker.customer_id is None:
                return
            customer_id = picker.customer_id
        if contact_actions.log_contact(self, self.db, self.actor, customer_id) is not None:
            self.statusBar().showMessage(_("Contact logged."), 5000)

    # -- complaints

    def new_complaint(self) -> None:
        """Record a complaint for the customer selected on the current page, or one the user picks."""
        page = self.pages.currentWidget()
        selected = []
        if page is self.customers_page:
            selected = self.customers_page.selected_ids()
        elif page is self.watch_page:
            selected = self.watch_page.selected_lapsed_ids()
        self.tickets_page.new_ticket(selected[0] if len(selected) == 1 else None)

    def show_complaint_policy(self) -> None:
        dialog = ComplaintPolicyDialog(self.db, self.actor, self)
        if dialog.exec():
            self.statusBar().showMessage(_("The complaint policy was saved."), 10000)
        dialog.deleteLater()

    def show_holidays(self) -> HolidaysWindow:
        return self.my_day_page.show_holidays()

    def show_staff(self) -> StaffWindow:
        if self.staff_window is not None:
            self.staff_window.raise_()
            self.staff_window.activateWindow()
            return self.staff_window
        window = StaffWindow(self.db, self.actor, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda *_args: setattr(self, "staff_window", None))
        window.handover_requested.connect(lambda staff_id: self.show_handover(staff_id))
        self.staff_window = window
        window.show()
        return window

    def show_handover(
        self, staff_id: uuid.UUID | None = None, customer_ids: list[uuid.UUID] | None = None
    ) -> HandoverWizard:
        """The handover wizard: a leaver's customers, or chosen customers of one account manager."""
        wizard = HandoverWizard(
            self.db, self.actor, self.settings, self, staff_id=staff_id, customer_ids=customer_ids
        )
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.open()
        return wizard

    def show_tiers(self) -> None:
        self.show_page(self.tiers_page)

    def show_tier_rules(self) -> TierRulesEditor:
        if self.tier_rules is not None:
            self.tier_rules.raise_()
            self.tier_rules.activateWindow()
            return self.tier_rules
        dialog = TierRulesEditor(self.db, self.actor, self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_args: setattr(self, "tier_rules", None))
        self.tier_rules = dialog
        dialog.show()
        return dialog

    def update_due(self) -> None:
        """The status bar's reminder when the rule set in use is due for evaluation."""
        try:
            notice = TierService(self.db).due(self.actor)
        except ServiceError:
            notice = None
        self.tiers_page.show_due(notice)
        if notice is None:
            self.due_button.hide()
            return
        if notice.last is None:
            tip = _("{rule_set} has not been evaluated yet.").format(rule_set=notice.rule_set)
        else:
            tip = _("Last evaluation as of {date}; due since {due}.").format(
                date=format_date(notice.last), due=format_date(notice.due_since)
            )
        self.due_button.setToolTip(tip + " " + _("Click to open the Tiers page."))
        self.due_button.show()

    def refresh(self) -> None:
        self.customers_page.reload_filter_options()
        self.customers_page.refresh()

    # -- import and export

    def show_import_wizard(self) -> ImportWizard:
        wizard = ImportWizard(self.db, self.actor, self.settings, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.imported.connect(self._imported)
        wizard.undone.connect(self._import_undone)
        wizard.open()
        return wizard

    def show_import_history(self) -> ImportHistoryDialog:
        dialog = ImportHistoryDialog(self.db, self.actor, self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.undone.connect(self._import_undone)
        dialog.open()
        return dialog

    def _imported(self, summary: ImportSummary) -> None:
        # New industries, regions and tiers may have come in: the filters offer them too.
        self.refresh()
        self.statusBar().showMessage(
            _("{file} was imported: {created} created, {updated} updated.").format(
                file=summary.file, created=summary.created, updated=summary.updated
            ),
            10000,
        )

    def _import_undone(self, _summary) -> None:
        self.refresh()
        self.statusBar().showMessage(_("The import was undone."), 10000)

    def export(self, what: str) -> Task | None:
        """Export what the Customers page lists — its search, filters and sort (and, for the customer
        list, its visible columns in their order) — to a file the user chooses."""
        page = self.customers_page
        query = page.model.query
        names = {
            "customers": (_("Export customer list"), _("Customers")),
            "transactions": (_("Export transactions"), _("Transactions")),
            "contact-logs": (_("Export contact logs"), _("Contact logs")),
        }
        title, name = names[what]
        path = file_choice.choose_save(
            self,
            self.settings,
            "export",
            title,
            f"{name} {date.today().isoformat()}.xlsx",
            file_choice.table_filter(),
        )
        if path is None:
            return None
        if what == "customers":
            columns = [EXPORT_KEYS[c] for c in page.shown_columns()]

            def work(progress, cancelled):
                return exports.export_customers(
                    self.db, self.actor, path, query, columns, progress, cancelled
                )
        elif what == "transactions":

            def work(progress, cancelled):
                return exports.export_transactions(self.db, self.actor, path, query, progress, cancelled)
        else:

            def work(progress, cancelled):
                return exports.export_contact_logs(self.db, self.actor, path, query, progress, cancelled)

        task = Task(self, _("Exporting to {file}…").format(file=path.name), work)
        task.finished.connect(lambda summary: self._task_ended(exports.describe(summary)))
        task.failed.connect(self._export_failed)
        self.export_task = task
        task.start()
        return task

    def _task_ended(self, message: str) -> None:
        self.export_task = None
        self.statusBar().showMessage(message, 10000)

    def _export_failed(self, exc: object) -> None:
        if isinstance(exc, Cancelled):
            self._task_ended(str(exc))
            return
        self._task_ended(_("Nothing was exported."))
        import_actions.show_failure(self, _("Cannot export"), exc)

    def save_template(self) -> None:
        path = import_actions.save_template(self, self.settings)
        if path is not None:
            self.statusBar().showMessage(_("Template written to {file}.").format(file=path), 10000)

    # -- settings and the rest

    def show_settings(self) -> None:
        company = office.read_company_name(self.db)
        contacts = ContactService(self.db)
        edit_days = contacts.edit_window(self.actor) if self.actor.is_manager else None
        dialog = SettingsDialog(
            self,
            current_language(),
            self.db.where,
            company=company,
            staff=self.service.staff(self.actor),
            me=self.actor.staff_id,
            edit_days=edit_days,
        )
        if not dialog.exec():
            return
        try:
            if dialog.company_name != company:
                office.save_company_name(self.db, self.actor, dialog.company_name)
            if dialog.edit_days is not None and dialog.edit_days != edit_days:
                contacts.save_edit_window(self.actor, dialog.edit_days)
        except ServiceError as exc:
            QMessageBox.warning(self, _("Settings"), str(exc))
        if dialog.language != current_language():
            self.settings.staff_id = dialog.staff_id
            self.language_chosen.emit(dialog.language)
        elif dialog.staff_id is not None and dialog.staff_id != self.actor.staff_id:
            self.user_chosen.emit(dialog.staff_id)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            _("About ClientDesk"),
            _(
                "ClientDesk {version}\nCustomer files, contacts and tiers for small sales offices.\n\n"
                "Database: {where}"
            ).format(version=__version__, where=self.db.where),
        )

    def close_customer_windows(self) -> bool:
        """Close every customer file; False if one has unsaved edits the user wants to keep."""
        return all(window.close() for window in list(self.customer_windows))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_customer_windows():
            event.ignore()
            return
        if self.tier_rules is not None and not self.tier_rules.close():
            event.ignore()  # unsaved rule edits the user wants to keep
            return
        if self.export_task is not None:
            # A half-written export is removed by the export itself; its thread must end before the window.
            self.export_task.cancel()
            self.export_task.wait()
        self.tiers_page.shutdown()
        self.watch_page.shutdown()
        self.complaint_stats_page.shutdown()
        self.deadline_watch.shutdown()
        self.settings.set_geometry("main_window", self.saveGeometry())
        self.settings.main_window_state = self.saveState()
        self.customers_page.save_state()
        self.customers_page.model.close()
        self.settings.sync()
        self.notifier.close()
        event.accept()
