"""Departments and staff members: who acts, who owns which customers."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SyncedMixin
from app.models.enums import StaffRole

# Fixed ids so every database (and every laptop that later syncs) agrees on the built-in rows.
DEFAULT_DEPARTMENT_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
ADMIN_STAFF_ID = uuid.UUID("00000000-0000-4000-8000-000000000002")


class Department(SyncedMixin, Base):
    __tablename__ = "department"

    name: Mapped[str] = mapped_column(String(100), nullable=False)

    staff: Mapped[list[Staff]] = relationship(back_populates="department")


class Staff(SyncedMixin, Base):
    __tablename__ = "staff"

    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    department_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("department.id"))
    role: Mapped[str] = mapped_column(String(20), nullable=False, default=StaffRole.SALES.value)
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    left_on: Mapped[date | None] = mapped_column(Date)

    department: Mapped[Department | None] = relationship(back_populates="staff")
