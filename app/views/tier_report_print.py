"""The printed tier report: summary, charts, changes and one section per tier, as PDF, printout or preview."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QGraphicsSimpleTextItem

from app.i18n import _, current_language, format_date, format_datetime, format_money, format_number
from app.services.errors import Cancelled
from app.services.progress import IsCancelled, Progress
from app.services.tier_report import TierReport
from app.services.tier_rules import METHODS
from app.views.tier_text import score_or_dash

# The first installed family wins. On Linux WenQuanYi (TrueType outlines) comes before Noto CJK: Qt embeds
# Noto's CFF outlines fine but writes a ToUnicode map that turns 户, 石, 示 … into Kangxi radicals, so
# searching and copying Chinese out of the PDF fails.
_FAMILIES = {
    "win32": ("Microsoft YaHei", "SimSun"),
    "darwin": ("PingFang SC", "Hiragino Sans GB", "Heiti SC"),
    "linux": ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Droid Sans Fallback"),
}

MARGINS_MM = QMarginsF(18, 15, 18, 13)  # left, top, right, bottom
# Charts are pictures of at most this resolution: sharp on paper, small enough to keep memory in check.
CHART_DPI = 600

INK = QColor("#1b2430")
MUTED = QColor("#5f6b7a")
ACCENT = QColor("#1f4e79")
RULE = QColor("#c5ced9")
HEADER_FILL = QColor("#e6edf5")
ZEBRA = QColor("#f5f7fa")
UP = QColor("#1e7b34")
DOWN = QColor("#b42318")
PALETTE = tuple(
    QColor(c)
    for c in (
        "#1f4e79",
        "#2e75b6",
        "#5b9bd5",
        "#70ad47",
        "#ffc000",
        "#ed7d31",
        "#a5a5a5",
        "#7030a0",
        "#c00000",
        "#264478",
        "#43682b",
        "#9e480e",
    )
)

_application: QApplication | None = None


def ensure_application() -> QApplication:
    """The running QApplication, or a new one (offscreen when there is no display) for the command line."""
    global _application
    app = QApplication.instance()
    if app is not None:
        return app
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _application = QApplication([sys.argv[0] if sys.argv else "clientdesk"])
    return _application


def report_family() -> str:
    """The font family the report is set in: one that has Chinese and embeds properly in a PDF."""
    available = set(QFontDatabase.families())
    platform = "linux" if sys.platform.startswith(("linux", "freebsd")) else sys.platform
    for family in _FAMILIES.get(platform, ()) + _FAMILIES["linux"]:
        if family in available:
            return family
    return QFont().defaultFamily()


# ---------------------------------------------------------------- formatting


def _percent(share: float) -> str:
    # One decimal; English and Chinese write it alike (12.3%).
    return f"{share * 100:.1f}%"


def _compact_money(value: Decimal) -> str:
    """Short money for chart labels (¥12.3M, ¥1234.6万); the tables carry the exact figures."""
    from babel.numbers import format_compact_decimal

    locale = "zh_Hans_CN" if current_language() == "zh_CN" else "en_US"
    return "¥" + format_compact_decimal(float(value), format_type="short", locale=locale, fraction_digits=1)


def _local_date(value):
    return format_date(value.astimezone().date()) if value is not None else ""


# ---------------------------------------------------------------- page geometry and fonts


class _Context:
    """Fonts, metrics and sizes for one paint device, in its own units."""

    def __init__(self, device: QPagedPaintDevice, report: TierReport) -> None:
        self.device = device
        self.dpi = device.resolution()
        page = device.pageLayout().paintRectPixels(self.dpi)
        self.width = float(page.width())
        self.height = float(page.height())
        self.family = report_family()
        self.fonts: dict[str, QFont] = {}
        self.metrics: dict[str, QFontMetricsF] = {}
        for name, size, bold in (
            ("title", 20, True),
            ("subtitle", 12.5, False),
            ("meta", 8.5, False),
            ("meta_bold", 8.5, True),
            ("heading", 12, True),
            ("caption", 9.5, True),
            ("small", 7.5, False),
            ("cell", 8.5, False),
            ("cell_bold", 8.5, True),
            ("head", 8, True),
        ):
            font = QFont(self.family)
            font.setPointSizeF(size)
            font.setBold(bold)
            self.fonts[name] = font
            self.metrics[name] = QFontMetricsF(font, device)
        self.row_height = self.metrics["cell"].height() * 1.55
        self.header_height = self.metrics["head"].height() * 1.9
        self.running_header = self.metrics["small"].height() + self.mm(5)
        self.charts: list[QImage] | None = None  # drawn ahead on the GUI thread (chart_images)
        self.footer = self.metrics["small"].height() + self.mm(4)

    def mm(self, value: float) -> float:
        return value * self.dpi / 25.4

    def pt(self, value: float) -> float:
        return value * self.dpi / 72


@dataclass(frozen=True)
class _Column:
    title: str
    width: float  # share of the page width
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft


@dataclass(frozen=True)
class _Row:
    cells: tuple[str, ...]
    shaded: bool = False
    bold: bool = False
    total: bool = False
    colors: tuple[tuple[int, QColor], ...] = ()  # column index → text colour
    swatch: QColor | None = None  # a tier's chart colour before the first cell


Op = tuple[Callable[..., None], float, tuple]


class _Layout:
    """Places blocks top to bottom over pages; each page keeps what to paint and where."""

    def __init__(self, ctx: _Context, cancelled: IsCancelled | None) -> None:
        self.ctx = ctx
        self.cancelled = cancelled
        self.pages: list[list[Op]] = [[]]
        self.y = 0.0
        self.rows = 0

    @property
    def top(self) -> float:
        return 0.0 if len(self.pages) == 1 else self.ctx.running_header

    @property
    def bottom(self) -> float:
        return self.ctx.height - self.ctx.footer

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def ensure(self, height: float) -> None:
        """A new page unless `height` fits below; a block taller than a page starts at a page top."""
        if self.y + height > self.bottom and self.y > self.top:
            self.new_page()

    def add(self, height: float, fn: Callable[..., None], *args) -> None:
        self.pages[-1].append((fn, self.y, args))
        self.y += height

    def space(self, height: float) -> None:
        if self.y > self.top:
            self.y = min(self.y + height, self.bottom)

    def heading(self, text: str, keep: float, color: QColor | None = None) -> None:
        """A heading kept on one page with the first `keep` units of what follows it."""
        ctx = self.ctx
        height = ctx.metrics["heading"].height() + ctx.mm(2.5)
        self.ensure(height + keep)
        self.add(height, _draw_heading, text, color)

    def table(
        self, columns: Sequence[_Column], rows: Sequence[_Row], continued: str = "", keep_rows: int = 3
    ) -> None:
        """A table whose header row comes again at the top of every page it continues on."""
        ctx = self.ctx
        caption = ctx.metrics["small"].height() + ctx.mm(1.5)
        self.ensure(ctx.header_height + ctx.row_height * min(keep_rows, len(rows)))
        self.add(ctx.header_height, _draw_header, columns)
        for row in rows:
            if self.y + ctx.row_height > self.bottom:
                self.new_page()
                if continued:
                    self.add(caption, _draw_text, continued, "small", MUTED)
                self.add(ctx.header_height, _draw_header, columns)
            self.add(ctx.row_height, _draw_row, columns, row)
            self.rows += 1
            if self.cancelled and self.rows % 500 == 0 and self.cancelled():
                raise Cancelled(_("The report was cancelled."))


# ---------------------------------------------------------------- painting primitives


def _draw_text(
    p: QPainter, ctx: _Context, y: float, text: str, font: str, color: QColor = INK, indent: float = 0.0
) -> None:
    p.setFont(ctx.fonts[font])
    p.setPen(color)
    p.drawText(QRectF(indent, y, ctx.width - indent, ctx.metrics[font].height() * 1.2), 0, text)


def _draw_heading(p: QPainter, ctx: _Context, y: float, text: str, color: QColor | None) -> None:
    metrics = ctx.metrics["heading"]
    indent = 0.0
    if color is not None:
        # A bar in the tier's chart colour ties each section to the charts.
        bar = ctx.mm(1.6)
        p.fillRect(QRectF(0, y + metrics.height() * 0.12, bar, metrics.height() * 0.8), color)
        indent = bar + ctx.mm(2)
    p.setFont(ctx.fonts["heading"])
    p.setPen(ACCENT)
    p.drawText(QRectF(indent, y, ctx.width - indent, metrics.height() * 1.2), 0, text)


def _cells(ctx: _Context, columns: Sequence[_Column]):
    pad = ctx.mm(1.5)
    x = 0.0
    for column in columns:
        width = column.width * ctx.width
        yield column, QRectF(x + pad, 0, width - 2 * pad, 0)
        x += width


def _draw_header(p: QPainter, ctx: _Context, y: float, columns: Sequence[_Column]) -> None:
    height = ctx.header_height
    p.fillRect(QRectF(0, y, ctx.width, height), HEADER_FILL)
    p.setPen(QPen(ACCENT, ctx.pt(0.8)))
    p.drawLine(0, int(y + height), int(ctx.width), int(y + height))
    p.setFont(ctx.fonts["head"])
    p.setPen(INK)
    metrics = ctx.metrics["head"]
    for column, rect in _cells(ctx, columns):
        rect = QRectF(rect.x(), y, rect.width(), height)
        text = metrics.elidedText(column.title, Qt.TextElideMode.ElideRight, rect.width())
        p.drawText(rect, column.align | Qt.AlignmentFlag.AlignVCenter, text)


def _draw_row(p: QPainter, ctx: _Context, y: float, columns: Sequence[_Column], row: _Row) -> None:
    height = ctx.row_height
    if row.shaded:
        p.fillRect(QRectF(0, y, ctx.width, height), ZEBRA)
    if row.total:
        p.setPen(QPen(INK, ctx.pt(0.9)))
        p.drawLine(0, int(y), int(ctx.width), int(y))
    font = "cell_bold" if row.bold or row.total else "cell"
    metrics = ctx.metrics[font]
    p.setFont(ctx.fonts[font])
    colors = dict(row.colors)
    for index, ((column, rect), text) in enumerate(zip(_cells(ctx, columns), row.cells, strict=False)):
        rect = QRectF(rect.x(), y, rect.width(), height)
        if index == 0 and row.swatch is not None:
            side = metrics.ascent() * 0.8
            p.fillRect(QRectF(rect.x(), y + (height - side) / 2, side, side), row.swatch)
            rect.setLeft(rect.left() + side + ctx.mm(1.5))
        p.setPen(colors.get(index, INK))
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        p.drawText(rect, column.align | Qt.AlignmentFlag.AlignVCenter, text)


def _draw_rule(p: QPainter, ctx: _Context, y: float, color: QColor, width_pt: float) -> None:
    p.setPen(QPen(color, ctx.pt(width_pt)))
    p.drawLine(0, int(y), int(ctx.width), int(y))


def _draw_meta(p: QPainter, ctx: _Context, y: float, label: str, value: str, label_width: float) -> None:
    height = ctx.metrics["meta"].height() * 1.2
    p.setFont(ctx.fonts["meta_bold"])
    p.setPen(MUTED)
    p.drawText(QRectF(0, y, label_width, height), 0, label)
    p.setFont(ctx.fonts["meta"])
    p.setPen(INK)
    p.drawText(QRectF(label_width, y, ctx.width - label_width, height), 0, value)


def _chart_places(ctx: _Context, count: int, y: float, height: float) -> list[tuple[QRectF, QRectF]]:
    """Where charts side by side go: each one's caption and picture."""
    gap = ctx.mm(8)
    width = (ctx.width - gap * (count - 1)) / count
    caption = ctx.metrics["caption"].height() * 1.4
    return [
        (QRectF(x, y, width, caption), QRectF(x, y + caption, width, height - caption))
        for x in (index * (width + gap) for index in range(count))
    ]


def _draw_charts(p: QPainter, ctx: _Context, y: float, charts: list[tuple[str, list, list]], height: float):
    """Charts side by side, each under its caption; drawn ahead (chart_images) when given."""
    for index, ((title, bars, labels), (caption, target)) in enumerate(
        zip(charts, _chart_places(ctx, len(charts), y, height), strict=True)
    ):
        p.setFont(ctx.fonts["caption"])
        p.setPen(INK)
        p.drawText(caption, Qt.AlignmentFlag.AlignLeft, title)
        image = (
            ctx.charts[index]
            if ctx.charts
            else _chart_image(bars, labels, ctx, target.width(), target.height())
        )
        p.drawImage(target, image)


def _draw_page_frame(p: QPainter, ctx: _Context, index: int, pages: int, report: TierReport) -> None:
    small = ctx.metrics["small"]
    p.setFont(ctx.fonts["small"])
    if index > 0:
        parts = [_("Customer tier report"), report.company, report.rule_set]
        text = " · ".join(part for part in parts if part)
        p.setPen(MUTED)
        p.drawText(QRectF(0, 0, ctx.width, small.height()), Qt.AlignmentFlag.AlignLeft, text)
        p.setPen(QPen(RULE, ctx.pt(0.5)))
        line = small.height() + ctx.mm(1.5)
        p.drawLine(0, int(line), int(ctx.width), int(line))
    top = ctx.height - small.height()
    p.setPen(QPen(RULE, ctx.pt(0.5)))
    p.drawLine(0, int(top - ctx.mm(2)), int(ctx.width), int(top - ctx.mm(2)))
    p.setPen(MUTED)
    rect = QRectF(0, top, ctx.width, small.height())
    generated = _("Generated {datetime}").format(datetime=format_datetime(report.generated_at))
    p.drawText(rect, Qt.AlignmentFlag.AlignLeft, generated)
    p.drawText(
        rect, Qt.AlignmentFlag.AlignRight, _("Page {page} of {pages}").format(page=index + 1, pages=pages)
    )


# ---------------------------------------------------------------- charts


def _chart_image(bars: list[tuple[str, float, QColor]], labels: list[str], ctx: _Context, width, height):
    """A horizontal bar chart drawn by pyqtgraph into a picture of the print resolution.

    A picture, not the scene painted straight onto the PDF: pyqtgraph draws bars and axes through
    QPicture, which Qt's PDF engine plays back wrong under the scaling to print size (one filled block).
    """
    import pyqtgraph as pg

    dpi = min(ctx.dpi, CHART_DPI)
    image = QImage(
        max(1, round(width * dpi / ctx.dpi)),
        max(1, round(height * dpi / ctx.dpi)),
        QImage.Format.Format_RGB32,
    )
    image.fill(Qt.GlobalColor.white)
    # Scene units are quarter points: fonts get whole pixel sizes that mean the same on every device.
    scale = 4.0
    scene_w = width / ctx.dpi * 72 * scale
    scene_h = height / ctx.dpi * 72 * scale
    font = QFont(ctx.family)
    font.setPixelSize(round(7.5 * scale))
    metrics = QFontMetricsF(font)

    view = pg.GraphicsView(background=None)
    plot = pg.PlotItem()
    view.setCentralItem(plot)
    scene = view.scene()
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    plot.hideAxis("bottom")
    plot.setMenuEnabled(False)
    plot.layout.setContentsMargins(0, 0, 0, 0)
    vb = plot.getViewBox()
    vb.invertY(True)
    vb.setDefaultPadding(0)

    names_width = min(max((metrics.horizontalAdvance(n) for n, _v, _c in bars), default=0), scene_w * 0.38)
    names = [metrics.elidedText(n, Qt.TextElideMode.ElideRight, names_width) for n, _v, _c in bars]
    left = plot.getAxis("left")
    left.setTicks([[(i, n) for i, n in enumerate(names)]])
    left.setStyle(tickFont=font, autoExpandTextSpace=False, tickLength=0, tickTextOffset=round(2 * scale))
    left.setWidth(round(names_width + 4 * scale))
    pen = QPen(RULE)
    pen.setCosmetic(False)
    pen.setWidthF(0.6 * scale)
    left.setPen(pen)
    left.setTextPen(INK)

    values = [max(0.0, float(v)) for _n, v, _c in bars]
    count = len(values)
    plot.addItem(
        pg.BarGraphItem(
            x0=[0.0] * count,
            y=list(range(count)),
            width=values,
            height=0.62,
            brushes=[c for _n, _v, c in bars],
            pens=[pg.mkPen(None)] * count,
        )
    )
    plot.setGeometry(QRectF(0, 0, scene_w, scene_h))
    plot.layout.activate()
    area = vb.sceneBoundingRect()
    # Room to the right of the longest bar for its label.
    label_width = max((metrics.horizontalAdvance(t) for t in labels), default=0) + 3 * scale
    top = max(values, default=0) or 1.0
    span = area.width() - label_width
    x_max = top * area.width() / span if span > area.width() * 0.3 else top / 0.7
    vb.setRange(xRange=(0, x_max), yRange=(-0.5, count - 0.5), padding=0)
    vb.updateViewRange()
    vb.updateMatrix()
    for i, (value, text) in enumerate(zip(values, labels, strict=True)):
        item = QGraphicsSimpleTextItem(text)
        item.setFont(font)
        item.setBrush(INK)
        scene.addItem(item)
        x = area.left() + value / x_max * area.width() + 1.5 * scale
        y = area.top() + (i + 0.5) / count * area.height() - item.boundingRect().height() / 2
        item.setPos(x, y)

    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), QRectF(0, 0, scene_w, scene_h))
    painter.end()
    view.deleteLater()
    return image


# ---------------------------------------------------------------- the report


def _tier_colors(report: TierReport) -> dict[str, QColor]:
    return {s.tier: PALETTE[i % len(PALETTE)] for i, s in enumerate(report.summary)}


def _charts(report: TierReport, ctx: _Context) -> tuple[list[tuple[str, list, list]], float]:
    """The two charts (caption, bars, value labels) and the height they take, as tall as the tiers need."""
    colors = _tier_colors(report)
    count = max(1, len(report.summary))
    chart_height = ctx.metrics["caption"].height() * 1.4 + ctx.mm(max(38.0, 6.5 * count + 6))
    charts = [
        (
            _("Customers per tier"),
            [(s.name, s.customers, colors[s.tier]) for s in report.summary],
            [format_number(s.customers) for s in report.summary],
        ),
        (
            _("Revenue per tier, last 12 months"),
            [(s.name, float(s.revenue), colors[s.tier]) for s in report.summary],
            [_compact_money(s.revenue) for s in report.summary],
        ),
    ]
    return charts, chart_height


def _lay_out(report: TierReport, ctx: _Context, cancelled: IsCancelled | None) -> _Layout:
    layout = _Layout(ctx, cancelled)
    colors = _tier_colors(report)

    # Title block.
    layout.add(ctx.metrics["title"].height() * 1.25, _draw_text, _("Customer tier report"), "title", ACCENT)
    if report.company:
        layout.add(ctx.metrics["subtitle"].height() * 1.4, _draw_text, report.company, "subtitle", INK)
    layout.space(ctx.mm(2))
    method = _(METHODS[report.method]) if report.method in METHODS else report.method
    meta = [
        (_("Period"), f"{format_date(report.period_start)} – {format_date(report.as_of)}"),
        (
            _("Rule set"),
            _("{name}, version {version} · {method}").format(
                name=report.rule_set, version=report.rule_version, method=method
            ),
        ),
    ]
    if report.filter_text:
        meta.append((_("Customers"), report.filter_text))
    meta.append((_("Generated"), format_datetime(report.generated_at)))
    label_width = max(ctx.metrics["meta_bold"].horizontalAdvance(label) for label, _v in meta) + ctx.mm(4)
    for label, value in meta:
        layout.add(ctx.metrics["meta"].height() * 1.35, _draw_meta, label, value, label_width)
    layout.space(ctx.mm(2))
    layout.add(ctx.mm(6), _draw_rule, ACCENT, 1.2)

    # Summary.
    right = Qt.AlignmentFlag.AlignRight
    summary_columns = (
        _Column(_("Tier"), 0.23),
        _Column(_("Customers"), 0.11, right),
        _Column(_("Share of customers"), 0.17, right),
        _Column(_("Revenue, last 12 months"), 0.2, right),
        _Column(_("Share of revenue"), 0.16, right),
        _Column(_("Average score"), 0.13, right),
    )
    rows = [
        _Row(
            (
                s.name,
                format_number(s.customers),
                _percent(s.share),
                format_money(s.revenue),
                _percent(s.revenue_share),
                score_or_dash(s.average_score),
            ),
            shaded=i % 2 == 1,
            swatch=colors[s.tier],
        )
        for i, s in enumerate(report.summary)
    ]
    scores = [c.score for section in report.sections for c in section.customers if c.score is not None]
    total = report.customers
    rows.append(
        _Row(
            (
                _("Total"),
                format_number(total),
                _percent(1.0 if total else 0.0),
                format_money(report.revenue),
                _percent(1.0 if report.revenue else 0.0),
                score_or_dash(sum(scores) / len(scores) if scores else None),
            ),
            total=True,
        )
    )
    layout.heading(_("Summary by tier"), ctx.header_height + ctx.row_height * 3)
    layout.table(summary_columns, rows, keep_rows=len(rows))
    layout.space(ctx.mm(7))

    charts, chart_height = _charts(report, ctx)
    layout.ensure(chart_height)
    layout.add(chart_height, _draw_charts, charts, chart_height)
    layout.space(ctx.mm(8))

    # Changes.
    title = _("Changes since the previous evaluation")
    if not report.changes:
        layout.heading(title, ctx.metrics["cell"].height() * 2)
        layout.add(ctx.metrics["cell"].height() * 1.6, _draw_text, _("There were no changes."), "cell", MUTED)
    else:
        marks = {"up": ("▲", UP), "down": ("▼", DOWN), "new": ("●", ACCENT), "same": ("=", MUTED)}
        change_columns = (
            _Column(_("Code"), 0.1),
            _Column(_("Name"), 0.19),
            _Column(_("Account manager"), 0.16),
            _Column(_("Change"), 0.21),
            _Column(_("Date"), 0.16),
            _Column(_("Reason"), 0.18),
        )
        rows = []
        for i, c in enumerate(report.changes):
            mark, color = marks.get(c.direction, ("", INK))
            rows.append(
                _Row(
                    (
                        c.code,
                        c.name,
                        c.manager,
                        f"{mark} {c.from_name} → {c.to_name}",
                        _local_date(c.at),
                        c.reason,
                    ),
                    shaded=i % 2 == 1,
                    colors=((3, color),),
                )
            )
        layout.heading(title, ctx.metrics["small"].height() * 1.6 + ctx.header_height + ctx.row_height * 3)
        if report.previous_at is not None:
            since = _(
                "This evaluation's changes, and tiers set by hand since {datetime}. ▲ up ▼ down ● first tier"
            ).format(datetime=format_datetime(report.previous_at))
        else:
            since = _("This evaluation's changes, and tiers set by hand. ▲ up ▼ down ● first tier")
        layout.add(ctx.metrics["small"].height() * 1.6, _draw_text, since, "small", MUTED)
        layout.table(change_columns, rows, continued=_("{title} (continued)").format(title=title))
    layout.space(ctx.mm(8))

    # One section per tier.
    customer_columns = (
        _Column(_("Code"), 0.14),
        _Column(_("Name"), 0.36),
        _Column(_("Account manager"), 0.18),
        _Column(_("Revenue, last 12 months"), 0.2, right),
        _Column(_("Score"), 0.12, right),
    )
    for section in report.sections:
        count = len(section.customers)
        heading = (
            _("{tier} — 1 customer").format(tier=section.name)
            if count == 1
            else _("{tier} — {count} customers").format(tier=section.name, count=format_number(count))
        )
        rows = [
            _Row(
                (c.code, c.name, c.manager, format_money(c.revenue), score_or_dash(c.score)),
                shaded=i % 2 == 1,
            )
            for i, c in enumerate(section.customers)
        ]
        layout.heading(heading, ctx.header_height + ctx.row_height * min(3, len(rows)), colors[section.tier])
        layout.table(customer_columns, rows, continued=_("{tier} (continued)").format(tier=section.name))
        layout.space(ctx.mm(7))
    return layout


def render(
    report: TierReport,
    printer_or_writer: QPagedPaintDevice,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
    charts: list[QImage] | None = None,
) -> int:
    """Paint the whole report on a QPdfWriter or QPrinter; the number of pages.

    Off the GUI thread, pass the charts drawn there first (chart_images): pyqtgraph draws through a
    widget, and Qt lets only that thread make widgets."""
    ctx = _Context(printer_or_writer, report)
    ctx.charts = charts
    layout = _lay_out(report, ctx, cancelled)
    pages = len(layout.pages)
    painter = QPainter()
    if not painter.begin(printer_or_writer):
        raise OSError(_("The report could not be printed."))
    try:
        for index, ops in enumerate(layout.pages):
            if cancelled and cancelled():
                raise Cancelled(_("The report was cancelled."))
            if index:
                printer_or_writer.newPage()
            _draw_page_frame(painter, ctx, index, pages, report)
            top = 0.0 if index == 0 else ctx.running_header
            painter.save()
            painter.setClipRect(QRectF(0, top, ctx.width, ctx.height - ctx.footer - top))
            for fn, y, args in ops:
                fn(painter, ctx, y, *args)
            painter.restore()
            if progress:
                progress(index + 1, pages)
    finally:
        painter.end()
    return pages


def _page_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )


def write_pdf(
    report: TierReport,
    path: Path,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
    charts: list[QImage] | None = None,
) -> int:
    """The report as an A4 PDF at `path`, which appears only when complete; the number of pages."""
    ensure_application()
    path = Path(path)
    # Beside the target, so the final rename stays on one file system and is atomic.
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".pdf.part", dir=path.parent)
    os.close(fd)
    temporary = Path(name)
    writer = None
    try:
        writer = _pdf_writer(str(temporary))
        writer.setTitle(_("Customer tier report"))
        writer.setCreator("ClientDesk")
        pages = render(report, writer, progress, cancelled, charts)
        # The writer holds the file open until it is gone (Windows cannot rename an open file).
        writer = None
        # mkstemp makes the file private; the report gets the permissions any new file would.
        mask = os.umask(0)
        os.umask(mask)
        temporary.chmod(0o666 & ~mask)
        os.replace(temporary, path)
    except BaseException:
        writer = None
        temporary.unlink(missing_ok=True)
        raise
    return pages


def _pdf_writer(target) -> QPdfWriter:
    writer = QPdfWriter(target)
    writer.setPageLayout(_page_layout())
    return writer


def chart_images(report: TierReport) -> list[QImage]:
    """The report's charts as write_pdf draws them, made on the GUI thread for a write_pdf run elsewhere."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ctx = _Context(_pdf_writer(buffer), report)
    charts, height = _charts(report, ctx)
    return [
        _chart_image(bars, labels, ctx, target.width(), target.height())
        for (_title, bars, labels), (_caption, target) in zip(
            charts, _chart_places(ctx, len(charts), 0.0, height), strict=True
        )
    ]


def _printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(_page_layout())
    printer.setDocName(_("Customer tier report"))
    return printer


def show_print_preview(report: TierReport, parent=None) -> None:
    """A print preview of the report, from which it can be printed."""
    printer = _printer()
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(_("Print preview"))
    dialog.paintRequested.connect(lambda device: render(report, device))
    dialog.exec()
