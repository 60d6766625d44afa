"""How tier figures read on screen: scores, shares and each dimension's raw figure with its unit."""

from __future__ import annotations

from decimal import Decimal

from app.i18n import _, format_money, format_number
from app.services.tiers import score_text


def score_or_dash(value: float | None) -> str:
    """A score in a table: one decimal, or a dash for none."""
    return "—" if value is None else f"{value:.1f}"


def percent(share: float | None) -> str:
    return "" if share is None else f"{score_text(share * 100)} %"


def dimension_value(key: str, raw) -> str:
    """A dimension's raw figure with its unit: money as money, days and years in words."""
    if key in ("potential", "influence"):
        return _("Not rated") if raw is None else str(raw)
    if raw is None:
        return _("No purchase yet") if key == "recency" else "—"
    if key in ("revenue", "profit"):
        return format_money(Decimal(raw))
    if key == "recency":
        return _("{days} days").format(days=format_number(int(raw)))
    if key == "cooperation":
        return _("{years} years").format(years=f"{float(raw):.1f}")
    return format_number(int(raw))
