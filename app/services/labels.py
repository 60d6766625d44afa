"""Display names of the domain's keys and fields, in the current language (shared by GUI and CLI)."""

from __future__ import annotations

from app.i18n import N_, _
from app.models.enums import (
    Category,
    ComplaintChannel,
    ComplaintSeverity,
    ComplaintStatus,
    ContactKind,
    CreditRating,
    DefaultTier,
    EnterpriseNature,
    PaymentMethod,
    StaffRole,
)
from app.services.tier_rules import ABC_PRESET, RFM_PRESET

CATEGORY = {
    Category.TARGET.value: N_("Target"),
    Category.POTENTIAL.value: N_("Potential"),
    Category.GENERAL.value: N_("General"),
    Category.KEY.value: N_("Key"),
    Category.LOST.value: N_("Lost"),
}
TIER = {
    DefaultTier.VIP.value: N_("VIP"),
    DefaultTier.IMPORTANT.value: N_("Important"),
    DefaultTier.NORMAL.value: N_("Normal"),
    DefaultTier.POTENTIAL.value: N_("Prospect"),  # "Potential" is already a category
}
# Every tier a preset names (RFM's segments, ABC's classes) besides the default four: lists and
# reports show a stored tier key by these names.
TIER_NAMES = {
    **TIER,
    **{preset_tier.key: preset_tier.label for preset_tier in (*RFM_PRESET.tiers, *ABC_PRESET.tiers)},
}
ENTERPRISE_NATURE = {
    EnterpriseNature.STATE_OWNED.value: N_("State-owned"),
    EnterpriseNature.PRIVATE.value: N_("Private"),
    EnterpriseNature.FOREIGN.value: N_("Foreign-owned"),
    EnterpriseNature.JOINT_VENTURE.value: N_("Joint venture"),
    EnterpriseNature.COLLECTIVE.value: N_("Collective"),
    EnterpriseNature.INDIVIDUAL.value: N_("Individual business"),
    EnterpriseNature.PUBLIC_INSTITUTION.value: N_("Public institution"),
    EnterpriseNature.OTHER.value: N_("Other"),
}
CREDIT_RATING = {r.value: r.value for r in CreditRating}
PAYMENT_METHOD = {
    PaymentMethod.BANK_TRANSFER.value: N_("Bank transfer"),
    PaymentMethod.CASH.value: N_("Cash"),
    PaymentMethod.CHEQUE.value: N_("Cheque"),
    PaymentMethod.ACCEPTANCE_BILL.value: N_("Acceptance bill"),
    PaymentMethod.ONLINE.value: N_("Online payment"),
    PaymentMethod.CREDIT.value: N_("On credit"),
    PaymentMethod.OTHER.value: N_("Other"),
}
CONTACT_KIND = {
    ContactKind.PHONE.value: N_("Phone call"),
    ContactKind.VISIT.value: N_("Visit"),
    ContactKind.LETTER.value: N_("Letter"),
    ContactKind.FAX.value: N_("Fax"),
    ContactKind.EMAIL.value: N_("E-mail message"),
    ContactKind.WECHAT.value: N_("WeChat"),
    ContactKind.MEETING.value: N_("Meeting"),
    ContactKind.OTHER.value: N_("Other"),
}
COMPLAINT_STATUS = {
    ComplaintStatus.NEW.value: N_("Received"),
    ComplaintStatus.ACCEPTED.value: N_("Accepted"),
    ComplaintStatus.INVESTIGATING.value: N_("Investigating"),
    ComplaintStatus.RESOLVED.value: N_("Resolved"),
    ComplaintStatus.FEEDBACK_GIVEN.value: N_("Feedback given"),
    ComplaintStatus.CLOSED.value: N_("Closed"),
}
COMPLAINT_CHANNEL = {
    ComplaintChannel.PHONE.value: N_("Phone call"),
    ComplaintChannel.VISIT.value: N_("Visit"),
    ComplaintChannel.LETTER.value: N_("Letter"),
    ComplaintChannel.EMAIL.value: N_("E-mail message"),
    ComplaintChannel.ONLINE.value: N_("Online"),
    ComplaintChannel.OTHER.value: N_("Other"),
}
COMPLAINT_SEVERITY = {
    ComplaintSeverity.LOW.value: N_("Low"),
    ComplaintSeverity.NORMAL.value: N_("Moderate"),
    ComplaintSeverity.HIGH.value: N_("High"),
    ComplaintSeverity.CRITICAL.value: N_("Critical"),
}
# The built-in complaint categories (the office may rename, add and remove them).
COMPLAINT_CATEGORY = {
    "product_quality": N_("Product quality"),
    "delivery": N_("Delivery"),
    "billing": N_("Billing"),
    "service_not_in_place": N_("Service not in place"),
    "staff_attitude": N_("Staff attitude"),
    "staff_self_interest": N_("Staff acting for themselves"),
    "interdepartment_dispute": N_("Dispute between departments"),
    "other": N_("Other"),
}
STAFF_ROLE = {
    StaffRole.SALES.value: N_("Sales"),
    StaffRole.MANAGER.value: N_("Department manager"),
    StaffRole.GENERAL_MANAGER.value: N_("General manager"),
    StaffRole.ADMIN.value: N_("Administrator"),
}

# Every field a user edits, by its attribute name: the form, the history and error messages use these.
FIELDS = {
    "code": N_("Customer code"),
    "name": N_("Company name"),
    "short_name": N_("Short name"),
    "category": N_("Category"),
    "tier": N_("Tier"),
    "industry": N_("Industry"),
    "enterprise_nature": N_("Enterprise nature"),
    "province": N_("Province"),
    "city": N_("City"),
    "address": N_("Address"),
    "postcode": N_("Postcode"),
    "legal_representative": N_("Legal representative"),
    "founded": N_("Founded"),
    "registered_capital": N_("Registered capital"),
    "uscc": N_("Unified social credit code"),
    "business_scope": N_("Business scope"),
    "phone": N_("Phone"),
    "fax": N_("Fax"),
    "email": N_("E-mail"),
    "website": N_("Website"),
    "annual_revenue": N_("Annual revenue"),
    "employees": N_("Employees"),
    "purchasing_pattern": N_("Purchasing decision pattern"),
    "needs": N_("Needs"),
    "business_trend": N_("Business trend"),
    "credit_rating": N_("Credit rating"),
    "financial_status": N_("Financial status"),
    "cooperation_start": N_("Cooperation since"),
    "brands": N_("Brands carried"),
    "competitors": N_("Competitors' dealings"),
    "lost_reason": N_("Reason lost"),
    "notes": N_("Notes"),
    "potential_rating": N_("Potential (1–5)"),
    "influence_rating": N_("Influence (1–5)"),
    "manager_id": N_("Account manager"),
    "department_id": N_("Department"),
    "registered_on": N_("Registered on"),
    # contact persons
    "title": N_("Title"),
    "mobile": N_("Mobile"),
    "wechat": N_("WeChat"),
    "birthday": N_("Birthday"),
    "preferences": N_("Hobbies and preferences"),
    "is_decision_maker": N_("Decision maker"),
    # transactions
    "occurred_on": N_("Date"),
    "amount": N_("Amount"),
    "profit": N_("Profit"),
    "product": N_("Product"),
    "contract_no": N_("Contract no."),
    "payment_method": N_("Payment method"),
    # contact logs and follow-ups
    "kind": N_("Contact type"),
    "occurred_at": N_("When"),
    "subject": N_("Subject"),
    "summary": N_("Summary"),
    "outcome": N_("Outcome"),
    "next_step": N_("Next step"),
    "next_date": N_("Next contact on"),
    "staff_ids": N_("Staff"),
    "contact_person_id": N_("Contact person"),
    "purpose": N_("Purpose"),
    "due_on": N_("Due on"),
    "owner_id": N_("Owner"),
    "reason": N_("Reason"),
    "additional_staff": N_("Additional staff"),
}

# What a change in a file's history was, by (entity, action).
CHANGE_TITLES = {
    ("customer", "create"): N_("Customer created"),
    ("customer", "update"): N_("Customer changed"),
    ("customer", "delete"): N_("Customer deleted"),
    ("customer", "restore"): N_("Customer restored"),
    ("customer", "import"): N_("Customer imported"),
    ("contact", "import"): N_("Contact person imported"),
    ("transaction", "import"): N_("Transaction imported"),
    ("contact", "create"): N_("Contact person added"),
    ("contact", "update"): N_("Contact person changed"),
    ("contact", "delete"): N_("Contact person removed"),
    ("transaction", "create"): N_("Transaction added"),
    ("transaction", "update"): N_("Transaction changed"),
    ("transaction", "delete"): N_("Transaction removed"),
    ("contact_log", "create"): N_("Contact logged"),
    ("contact_log", "import"): N_("Contact log imported"),
    ("contact_log", "update"): N_("Contact log changed"),
    ("contact_log", "delete"): N_("Contact log removed"),
    ("follow_up", "create"): N_("Follow-up planned"),
    ("follow_up", "done"): N_("Follow-up done"),
    ("follow_up", "reschedule"): N_("Follow-up rescheduled"),
    ("follow_up", "cancel"): N_("Follow-up cancelled"),
}


def change_title(entity: str, action: str) -> str:
    title = CHANGE_TITLES.get((entity, action))
    return _(title) if title else f"{entity} {action}"

# Fields whose stored value is a key of one of the vocabularies above.
VOCABULARY = {
    "category": CATEGORY,
    "tier": TIER_NAMES,
    "enterprise_nature": ENTERPRISE_NATURE,
    "credit_rating": CREDIT_RATING,
    "payment_method": PAYMENT_METHOD,
    "kind": CONTACT_KIND,
}


def label(vocabulary: dict[str, str], key: str) -> str:
    """The translated name of a key; an unknown key (a user-named tier, say) is shown as it is."""
    return _(vocabulary[key]) if key in vocabulary else key


def field_label(field: str) -> str:
    return _(FIELDS.get(field, field))


BOOLEAN_FIELDS = {"is_decision_maker"}
YES_NO = {"1": N_("Yes"), "0": N_("No")}


def value_label(field: str, value: str) -> str:
    """A stored value as the user reads it: a key by its name, a yes/no flag as Yes or No.

    A history value may name whose it is first ("张伟: 1"); only the part after that is translated.
    """
    subject, separator, own = value.rpartition(": ")
    if field in BOOLEAN_FIELDS:
        return subject + separator + label(YES_NO, own)
    vocabulary = VOCABULARY.get(field)
    return subject + separator + label(vocabulary, own) if vocabulary and own else value
