"""The complaint statistics page: a period's tickets by status, age, category, tier and staff, how fast and
how well they were handled, as pyqtgraph bar charts with their numbers beside them; exportable to .xlsx."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.dialogs.form import ERROR_TEXT, date_format
from app.i18n import N_, _, format_date, format_datetime, format_number
from app.services import events
from app.services.actor import Actor
from app.services.complaint_stats import (
    BREAKDOWNS,
    ComplaintStats,
    complaint_stats,
    preset_period,
    write_stats,
)
from app.services.errors import Cancelled, ServiceError
from app.views import file_choice
from app.views.qt_events import ReloadWhenShown
from app.views.settings import Settings
from app.views.tasks import BackgroundTask
from app.views.tier_text import percent

PRESETS = {
    "this_month": N_("This month"),
    "last_3_months": N_("Last 3 months"),
    "this_year": N_("This year"),
    "last_12_months": N_("Last 12 months"),
}
DEFAULT_PRESET = "last_12_months"
CHOSEN = ""  # the preset combo's entry for dates typed by hand
RELOAD_ON = frozenset({"complaint", "complaint_category", "customer", "staff"})
DATE_DELAY_MS = 400  # a date typed digit by digit is read once the typing stops
HOURS_AS_DAYS = 48  # resolution times from two days on read better in days
HINT_STYLE = "color: #777;"
BAR_COLOURS = {
    "open_by_status": "#4e79a7",
    "open_by_age": "#e15759",
    "by_category": "#59a14f",
    "by_tier": "#b07aa1",
    "by_staff": "#f28e2b",
}
NAME_WIDTH_LIMIT = 220  # pixels for a bar's name; longer ones are elided


def duration_text(hours: float | None) -> str:
    if hours is None:
        return "—"
    if hours < HOURS_AS_DAYS:
        return _("{hours} h").format(hours=f"{hours:.1f}")
    return _("{days} days").format(days=f"{hours / 24:.1f}")


class BarChart(QWidget):
    """Horizontal bars, one per (name, tickets) pair, the number beside each bar. pyqtgraph is imported
    when the chart is first set up: the import takes about half a second, which start-up should not pay."""

    def __init__(self, name: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.pairs: list[tuple[str, int]] = []
        self._colour = colour
        self._plot_widget = None
        self._numbers: list = []  # pyqtgraph TextItems, the numbers beside the bars
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel(_("No tickets"))
        self.empty.setStyleSheet(HINT_STYLE)
        self._layout.addWidget(self.empty)

    def shown_numbers(self) -> list[str]:
        """The numbers as drawn beside the bars, top to bottom."""
        return [item.textItem.toPlainText() for item in self._numbers]

    def prepare(self) -> None:
        """Import pyqtgraph and set the chart up, hidden until its bars come (while the figures are read)."""
        if self._plot_widget is None:
            self._build().hide()

    def _build(self):
        import pyqtgraph as pg

        widget = pg.PlotWidget(background=None)
        # A picture, not an instrument: the wheel scrolls the page instead of zooming a chart.
        widget.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        widget.setFrameShape(QFrame.Shape.NoFrame)
        plot = widget.getPlotItem()
        plot.setMouseEnabled(False, False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.hideAxis("bottom")
        view = plot.getViewBox()
        view.invertY(True)
        view.setDefaultPadding(0)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        left = plot.getAxis("left")
        # The widget's font, so Chinese names render as everywhere else in the window.
        left.setStyle(tickFont=self.font(), tickLength=0, autoExpandTextSpace=False)
        left.setTextPen(text)
        left.setPen(self.palette().color(QPalette.ColorRole.Mid))
        self._layout.addWidget(widget)
        self._plot_widget = widget
        return widget

    def set_pairs(self, pairs: list[tuple[str, int]]) -> None:
        import pyqtgraph as pg

        self.pairs = list(pairs)
        widget = self._plot_widget or self._build()
        plot = widget.getPlotItem()
        plot.clear()
        self._numbers = []
        self.empty.setVisible(not self.pairs)
        widget.setVisible(bool(self.pairs))
        if not self.pairs:
            return
        metrics = QFontMetrics(self.font())
        widths = [metrics.horizontalAdvance(name) for name, _n in self.pairs]
        name_width = min(max(widths), NAME_WIDTH_LIMIT)
        names = [
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, NAME_WIDTH_LIMIT)
            if width > name_width
            else name
            for (name, _n), width in zip(self.pairs, widths, strict=True)
        ]
        left = plot.getAxis("left")
        left.setTicks([list(enumerate(names))])
        left.setWidth(name_width + 12)
        count = len(self.pairs)
        values = [n for _name, n in self.pairs]
        plot.addItem(
            pg.BarGraphItem(
                x0=[0] * count,
                y=list(range(count)),
                width=values,
                height=0.62,
                brush=self._colour,
                pen=pg.mkPen(None),
            )
        )
        text = self.palette().color(QPalette.ColorRole.WindowText)
        for row, value in enumerate(values):
            number = pg.TextItem(format_number(value), color=text, anchor=(0, 0.5))
            number.setFont(self.font())
            number.setPos(value, row)
            plot.addItem(number)
            self._numbers.append(number)
        # The longest bar takes four fifths of the width: the rest is room for its number.
        plot.getViewBox().setRange(
            xRange=(0, max(max(values), 1) * 1.25), yRange=(-0.5, count - 0.5), padding=0
        )
        widget.setFixedHeight(count * (metrics.height() + 10) + 12)


class ComplaintStatsPage(QWidget):
    """Counts and times for the tickets received in the chosen period, read in the background."""

    message = Signal(str)  # a passing message for the status bar

    def __init__(self, db: Database, actor: Actor, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ComplaintStatsPage")
        self.db = db
        self.actor = actor
        self.settings = settings
        self.stats: ComplaintStats | None = None
        self.as_of: datetime | None = None  # the moment open tickets are aged at; None: now
        self.task: BackgroundTask | None = None
        self._again = False  # a change came while the figures were being read
        self._reloader = ReloadWhenShown(self, self.reload)
        self._date_timer = QTimer(self)
        self._date_timer.setSingleShot(True)
        self._date_timer.setInterval(DATE_DELAY_MS)
        self._date_timer.timeout.connect(self.reload)

        heading = QLabel(_("Complaint statistics"))
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.35)
        heading.setFont(font)
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("stats_preset")
        for key, name in PRESETS.items():
            self.preset_combo.addItem(_(name), key)
        self.preset_combo.addItem(_("Dates chosen"), CHOSEN)
        self.from_edit = self._date_edit("stats_from")
        self.to_edit = self._date_edit("stats_to")
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.setObjectName("stats_refresh")
        self.refresh_button.clicked.connect(self.reload)
        self.export_button = QPushButton(_("Export to Excel…"))
        self.export_button.setObjectName("stats_export")
        self.export_button.setToolTip(_("The figures and tables as an .xlsx workbook, with its charts"))
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        self.status = QLabel()
        self.status.setObjectName("stats_status")
        self.status.setStyleSheet(HINT_STYLE)
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        received = QLabel(_("Received from"))
        received.setBuddy(self.from_edit)
        top.addWidget(received)
        top.addWidget(self.from_edit)
        to_label = QLabel(_("to"))
        to_label.setBuddy(self.to_edit)
        top.addWidget(to_label)
        top.addWidget(self.to_edit)
        top.addWidget(self.preset_combo)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)

        figures = QGridLayout()
        figures.setSpacing(8)
        self.figures: dict[str, tuple[QLabel, QLabel]] = {}
        for column, (name, caption) in enumerate(
            (
                ("received", _("Tickets received")),
                ("resolved", _("Resolved")),
                ("mean", _("Average resolution time")),
                ("p90", _("90th percentile resolution time")),
                ("on_time", _("Resolved on time")),
                ("satisfaction", _("Average satisfaction (1–5)")),
            )
        ):
            figures.addWidget(self._figure(name, caption), 0, column)
        self.figures["on_time"][0].setToolTip(
            _("Resolved by the deadline, out of the tickets resolved and those still open past it")
        )

        self.charts: dict[str, BarChart] = {}
        charts = QGridLayout()
        charts.setSpacing(12)
        for index, (name, title) in enumerate(BREAKDOWNS):
            box = QGroupBox(_(title))
            box.setObjectName(f"box_{name}")
            chart = BarChart(f"chart_{name}", BAR_COLOURS[name])
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(chart)
            box_layout.addStretch(1)
            self.charts[name] = chart
            charts.addWidget(box, index // 2, index % 2)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(figures)
        content_layout.addLayout(charts)
        content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)

        self.preset_combo.setCurrentIndex(self.preset_combo.findData(DEFAULT_PRESET))
        self._apply_preset()
        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        self.from_edit.dateChanged.connect(self._dates_typed)
        self.to_edit.dateChanged.connect(self._dates_typed)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(date_format())
        return edit

    def _figure(self, name: str, caption: str) -> QFrame:
        frame = QFrame()
        frame.setObjectName(f"card_{name}")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        value = QLabel("—")
        value.setObjectName(f"figure_{name}")
        font = value.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 2)
        value.setFont(font)
        title = QLabel(caption)
        title.setWordWrap(True)
        detail = QLabel()
        detail.setObjectName(f"figure_{name}_detail")
        detail.setStyleSheet(HINT_STYLE)
        detail.setWordWrap(True)
        box = QVBoxLayout(frame)
        box.addWidget(title)
        box.addWidget(value)
        box.addWidget(detail)
        box.addStretch(1)
        self.figures[name] = (value, detail)
        return frame

    # -- the period

    def period(self) -> tuple[date, date]:
        return self.from_edit.date().toPython(), self.to_edit.date().toPython()

    def set_period(self, start: date, end: date) -> None:
        """Show these days (the preset becomes "Dates chosen") and read their figures."""
        self._set_dates(start, end)
        self._dates_typed()
        self.reload()

    def _set_dates(self, start: date, end: date) -> None:
        for edit, day in ((self.from_edit, start), (self.to_edit, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day))
            edit.blockSignals(False)

    def _apply_preset(self) -> None:
        key = self.preset_combo.currentData()
        if key != CHOSEN:
            self._set_dates(*preset_period(key, date.today()))

    def _preset_chosen(self) -> None:
        if self.preset_combo.currentData() != CHOSEN:
            self._apply_preset()
            self.reload()

    def _dates_typed(self) -> None:
        self.preset_combo.blockSignals(True)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(CHOSEN))
        self.preset_combo.blockSignals(False)
        self._date_timer.start()

    # -- reading

    def showEvent(self, event: QShowEvent) -> None:
        if self._reloader.stale:
            self.reload()
        super().showEvent(event)

    def on_change(self, change: events.Change) -> None:
        """A write anywhere: read again when it touches the figures, once shown again if hidden."""
        if change.entity in RELOAD_ON:
            self._reloader.request()

    def reload(self) -> None:
        """Read the period's figures off the GUI thread, quietly: the page keeps the last ones and says it is
        reading (200,000 tickets take most of a second on SQLite), and the rest of the window stays free."""
        self._reloader.reloading()
        self._date_timer.stop()
        if self.task is not None:
            self._again = True  # read again once this reading ends: it may miss the change
            return
        self._again = False
        start, end = self.period()
        db, actor, as_of = self.db, self.actor, self.as_of

        def work(_progress, cancelled) -> ComplaintStats:
            stats = complaint_stats(db, actor, start, end, as_of=as_of)
            # The reading cannot stop half-way; a Cancel meanwhile drops what it read.
            if cancelled():
                raise Cancelled(_("Reading the figures was cancelled."))
            return stats

        task = BackgroundTask(self, work)
        task.finished.connect(lambda result: self._read(task, result, None))
        task.failed.connect(lambda exc: self._read(task, None, exc))
        self.task = task
        self.status.setText(_("Reading the figures…"))
        self.status.setStyleSheet(HINT_STYLE)
        task.start()
        # The first time, the charts are set up meanwhile: the database works while Python imports.
        for chart in self.charts.values():
            chart.prepare()

    def _read(self, task: BackgroundTask, stats: ComplaintStats | None, exc: object) -> None:
        self.task = None
        task.deleteLater()
        if exc is not None:
            self.status.setText(str(exc))
            self.status.setStyleSheet(HINT_STYLE if isinstance(exc, Cancelled) else ERROR_TEXT)
            if not isinstance(exc, ServiceError):
                raise exc  # a bug, for the error dialog
        else:
            self.show_stats(stats)
        if self._again:
            self._reloader.request()

    def show_stats(self, stats: ComplaintStats) -> None:
        self.stats = stats
        self.export_button.setEnabled(True)
        self.status.setText(
            _("Tickets received from {start} to {end}; open tickets as of {moment}.").format(
                start=format_date(stats.start),
                end=format_date(stats.end),
                moment=format_datetime(stats.as_of),
            )
        )
        self.status.setStyleSheet(HINT_STYLE)
        still_open = sum(n for _name, n in stats.open_by_status)
        self._show_figure(
            "received", format_number(stats.received), _("{n} still open").format(n=format_number(still_open))
        )
        self._show_figure(
            "resolved",
            format_number(stats.resolved),
            _("{share} of those received").format(share=percent(stats.resolved / stats.received))
            if stats.received
            else "",
        )
        self._show_figure(
            "mean",
            duration_text(stats.mean_hours),
            _("from receipt to resolution") if stats.resolved else _("none resolved"),
        )
        self._show_figure(
            "p90",
            duration_text(stats.p90_hours),
            _("9 in 10 resolved tickets took at most this long") if stats.resolved else _("none resolved"),
        )
        self._show_figure(
            "on_time",
            percent(stats.on_time_share) or "—",
            _("{on_time} of {base}").format(
                on_time=format_number(stats.on_time), base=format_number(stats.on_time_base)
            ),
        )
        self._show_figure(
            "satisfaction",
            "—" if stats.satisfaction_mean is None else f"{stats.satisfaction_mean:.1f}",
            _("{n} ratings").format(n=format_number(stats.satisfaction_count)),
        )
        for name, chart in self.charts.items():
            chart.set_pairs(getattr(stats, name))

    def _show_figure(self, name: str, value: str, detail: str) -> None:
        value_label, detail_label = self.figures[name]
        value_label.setText(value)
        detail_label.setText(detail)

    def shutdown(self) -> None:
        """Stop reading and wait for the thread: before the page is deleted (the main window's closing)."""
        if self.task is not None:
            self.task.cancel()
            self.task.wait()

    # -- export

    def export(self) -> Path | None:
        if self.stats is None:
            return None
        name = _("Complaint statistics {start} to {end}").format(
            start=self.stats.start.isoformat(), end=self.stats.end.isoformat()
        )
        path = file_choice.choose_save(
            self,
            self.settings,
            "export",
            _("Export complaint statistics"),
            name + ".xlsx",
            file_choice.xlsx_filter(),
        )
        return None if path is None else self.export_to(path)

    def export_to(self, path: Path) -> Path | None:
        """Write the figures shown to `path` (.xlsx); None, after saying why, if it could not be written."""
        if self.stats is None:
            return None
        try:
            written = write_stats(self.stats, path)
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, _("Cannot export"), str(exc))
            return None
        self.message.emit(_("The complaint statistics were saved to {file}.").format(file=written))
        return written
