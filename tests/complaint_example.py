"""A small set of complaint tickets whose statistics are worked out by hand, for the service's tests and the
statistics page's: seven tickets received in March 2024 (Shanghai days), three that must not count."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from sqlalchemy import select

from app.db import Database
from app.models import Complaint, ComplaintCategory, Customer, Staff

ZONE = "Asia/Shanghai"  # UTC+8 all year: the period's days start at 16:00 UTC the day before
START, END = date(2024, 3, 1), date(2024, 3, 31)
AS_OF = datetime(2024, 4, 3, 12, 0, tzinfo=timezone.utc)


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=timezone.utc)


# number, customer, category key, responsible ("W" 王芳, "L" 李雷, None), status, received, due, resolved,
# satisfaction. Customers: A is VIP, B normal, C has no tier.
TICKETS = (
    (1, "A", "delivery", "W", "closed", utc(2, 29, 16, 30), utc(3, 3, 16, 30), utc(3, 1, 2, 30), 5),
    (2, "A", "delivery", "L", "feedback_given", utc(3, 5, 2), utc(3, 8, 2), utc(3, 6, 2), 4),
    (3, "B", "billing", "W", "resolved", utc(3, 10), utc(3, 13), utc(3, 14, 12), 2),
    (4, "B", "product_quality", "W", "closed", utc(3, 20), utc(3, 23), utc(3, 22), None),
    (5, "C", "delivery", None, "investigating", utc(3, 25, 8), utc(3, 28, 8), None, None),
    (6, "A", "billing", "L", "new", utc(3, 31, 15), utc(4, 3, 15), None, None),
    (7, "C", "product_quality", "W", "new", utc(3, 30), utc(4, 2), None, None),
    # Outside: 23:30 on 29 February in Shanghai; 00:00 on 1 April in Shanghai; and a deleted ticket.
    (8, "B", "billing", "W", "closed", utc(2, 29, 15, 30), utc(3, 3, 15, 30), utc(2, 29, 16, 30), 1),
    (9, "C", "delivery", "L", "new", utc(3, 31, 16), utc(4, 1), None, None),
    (10, "A", "delivery", "W", "investigating", utc(3, 15), utc(3, 18), None, 1),
)
DELETED = {10}


def add_example(db: Database) -> dict[str, uuid.UUID]:
    """The tickets above with their customers and staff; returns the staff ids by initial."""
    with db.session() as session:
        staff = {"W": Staff(name="王芳"), "L": Staff(name="李雷")}
        customers = {
            "A": Customer(code="A", name="客户A", tier="vip"),
            "B": Customer(code="B", name="客户B", tier="normal"),
            "C": Customer(code="C", name="客户C", tier=""),
        }
        session.add_all([*staff.values(), *customers.values()])
        session.flush()
        categories = dict(session.execute(select(ComplaintCategory.key, ComplaintCategory.id)).all())
        for number, customer, category, who, status, received, due, resolved, rating in TICKETS:
            session.add(
                Complaint(
                    number=number,
                    customer_id=customers[customer].id,
                    category_id=categories[category],
                    responsible_staff_id=staff[who].id if who else None,
                    status=status,
                    received_at=received,
                    due_at=due,
                    resolved_at=resolved,
                    satisfaction=rating,
                    description=f"投诉{number}",
                    deleted_at=utc(3, 16) if number in DELETED else None,
                )
            )
        return {initial: row.id for initial, row in staff.items()}
