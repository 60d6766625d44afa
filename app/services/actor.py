"""Who is acting: every service call takes one, so permissions and the audit trail hang off it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from app.db import Database
from app.i18n import _
from app.models import ADMIN_STAFF_ID, Staff
from app.models.enums import StaffRole
from app.services.errors import ServiceError

MANAGER_ROLES = frozenset({StaffRole.MANAGER.value, StaffRole.GENERAL_MANAGER.value, StaffRole.ADMIN.value})


@dataclass(frozen=True)
class Actor:
    staff_id: uuid.UUID
    name: str
    role: str = "admin"

    @property
    def is_manager(self) -> bool:
        """Managers, general managers and administrators: they run handovers and edit anyone's logs."""
        return self.role in MANAGER_ROLES

    def require_manager(self) -> None:
        """Refuse work only managers may do (the menus hide it from others; this guards the commands)."""
        if not self.is_manager:
            raise ServiceError(_("Only a manager can do this."))


# Until logins exist, the built-in administrator acts for everyone.
DEFAULT_ACTOR = Actor(staff_id=ADMIN_STAFF_ID, name="Administrator", role="admin")


def actor_for(db: Database, staff_id: uuid.UUID | None) -> Actor:
    """The staff member working at this computer; the administrator if none is chosen or they have left."""
    if staff_id is None:
        return DEFAULT_ACTOR
    with db.session() as session:
        row = session.execute(
            select(Staff.name, Staff.role).where(
                Staff.id == staff_id, Staff.active.is_(True), Staff.deleted_at.is_(None)
            )
        ).first()
    return DEFAULT_ACTOR if row is None else Actor(staff_id=staff_id, name=row.name, role=row.role)
