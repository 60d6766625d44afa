"""Who is acting: every service call takes one, so permissions and the audit trail hang off it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.models import ADMIN_STAFF_ID


@dataclass(frozen=True)
class Actor:
    staff_id: uuid.UUID
    name: str
    role: str = "admin"


# Until logins exist, the built-in administrator acts for everyone.
DEFAULT_ACTOR = Actor(staff_id=ADMIN_STAFF_ID, name="Administrator", role="admin")
