"""SQLAlchemy entities of ClientDesk (no Qt here)."""

from app.models.base import Base, Money, SyncedMixin, utcnow
from app.models.complaint import (
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintEscalation,
    ComplaintStep,
)
from app.models.contact_log import ContactLog, FollowUp, contact_log_staff
from app.models.customer import (
    ChangeLog,
    ContactPerson,
    Counter,
    Customer,
    CustomerSearch,
    CustomerStaff,
    Transaction,
)
from app.models.holiday import Holiday
from app.models.imports import ImportBatch, ImportIssue, ImportItem, ImportMapping
from app.models.staff import ADMIN_STAFF_ID, DEFAULT_DEPARTMENT_ID, Department, Staff
from app.models.tier import (
    OfficeSetting,
    TierEvaluation,
    TierHistory,
    TierOverride,
    TierProposal,
    TierRuleSet,
    TierRuleVersion,
)

__all__ = [
    "ADMIN_STAFF_ID",
    "DEFAULT_DEPARTMENT_ID",
    "Base",
    "ChangeLog",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintCategory",
    "ComplaintEscalation",
    "ComplaintStep",
    "ContactLog",
    "ContactPerson",
    "Counter",
    "Customer",
    "CustomerSearch",
    "CustomerStaff",
    "Department",
    "FollowUp",
    "Holiday",
    "ImportBatch",
    "ImportIssue",
    "ImportItem",
    "ImportMapping",
    "Money",
    "OfficeSetting",
    "Staff",
    "SyncedMixin",
    "TierEvaluation",
    "TierHistory",
    "TierOverride",
    "TierProposal",
    "TierRuleSet",
    "TierRuleVersion",
    "Transaction",
    "contact_log_staff",
    "utcnow",
]
