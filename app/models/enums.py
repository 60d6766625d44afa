"""Fixed vocabularies of the domain (stored as short English keys, shown translated)."""

from __future__ import annotations

from enum import Enum


class Category(str, Enum):
    """客户类别: where the relationship stands."""

    TARGET = "target"
    POTENTIAL = "potential"
    GENERAL = "general"
    KEY = "key"
    LOST = "lost"


class DefaultTier(str, Enum):
    """The tiers a new database starts with; tier rule sets (later) may name others."""

    VIP = "vip"
    IMPORTANT = "important"
    NORMAL = "normal"
    POTENTIAL = "potential"


class EnterpriseNature(str, Enum):
    """企业性质."""

    STATE_OWNED = "state_owned"
    PRIVATE = "private"
    FOREIGN = "foreign"
    JOINT_VENTURE = "joint_venture"
    COLLECTIVE = "collective"
    INDIVIDUAL = "individual"
    PUBLIC_INSTITUTION = "public_institution"
    OTHER = "other"


class CreditRating(str, Enum):
    """信用评估."""

    AAA = "AAA"
    AA = "AA"
    A = "A"
    B = "B"
    C = "C"


class PaymentMethod(str, Enum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    CHEQUE = "cheque"
    ACCEPTANCE_BILL = "acceptance_bill"
    ONLINE = "online"
    CREDIT = "credit"
    OTHER = "other"


class StaffRole(str, Enum):
    SALES = "sales"
    MANAGER = "manager"
    GENERAL_MANAGER = "general_manager"
    ADMIN = "admin"


class ContactKind(str, Enum):
    """How an interaction with a customer happened (联系方式)."""

    PHONE = "phone"
    VISIT = "visit"
    LETTER = "letter"
    FAX = "fax"
    EMAIL = "email"
    WECHAT = "wechat"
    MEETING = "meeting"
    OTHER = "other"


class FollowUpStatus(str, Enum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ComplaintStatus(str, Enum):
    """A complaint ticket's step (投诉处理): received, accepted, investigated, resolved, fed back, closed."""

    NEW = "new"
    ACCEPTED = "accepted"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    FEEDBACK_GIVEN = "feedback_given"
    CLOSED = "closed"


class ComplaintChannel(str, Enum):
    """How a complaint reached the office."""

    PHONE = "phone"
    VISIT = "visit"
    LETTER = "letter"
    EMAIL = "email"
    ONLINE = "online"
    OTHER = "other"


class ComplaintSeverity(str, Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"
