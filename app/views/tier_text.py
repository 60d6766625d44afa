"""How tier figures read on screen: scores, shares and each dimension's raw figure with its unit."""

from __future__ import annotations

from decimal import Decimal

from app.i18n import _, format_money, format_number


def figure(value: float) -> str:
    """A score as the explanation's sentence writes it: one decimal at most (80, 72.5)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def percent(share: float | None) -> str:
    return "" if share is None else f"{figure(share * 100)} %"


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
