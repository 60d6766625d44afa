"""Holidays the office sends greetings for (春节, 中秋 …), one row per holiday and year, editable."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin


class Holiday(SyncedMixin, Base):
    __tablename__ = "holiday"

    # Built-in holidays are stored by their English name and shown in each user's language.
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    greeting: Mapped[str] = mapped_column(Text, nullable=False, default="")
