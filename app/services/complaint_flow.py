"""The complaint workflow: which step may follow which, and what a step needs before it is taken.

new → accepted → investigating → resolved → feedback given → closed. A resolved ticket may also close
with the reason why no feedback could be had; a resolved, fed-back or closed ticket may be reopened (back
to investigating) with a reason. Every step carries a note of who and why; the service records it."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import _
from app.models.enums import ComplaintStatus as S
from app.services.labels import COMPLAINT_STATUS, label

FORWARD = {
    S.NEW: S.ACCEPTED,
    S.ACCEPTED: S.INVESTIGATING,
    S.INVESTIGATING: S.RESOLVED,
    S.RESOLVED: S.FEEDBACK_GIVEN,
    S.FEEDBACK_GIVEN: S.CLOSED,
}
REOPENABLE = frozenset({S.RESOLVED, S.FEEDBACK_GIVEN, S.CLOSED})


@dataclass(frozen=True)
class TicketFacts:
    """What the ticket holds when a step is asked for."""

    has_resolution: bool = False  # root cause and action taken written
    has_feedback: bool = False  # how the customer was told, and their satisfaction
    no_feedback_reason: str = ""  # why no feedback could be had
    note: str = ""  # the step's own note (a reopen's reason)


def next_steps(current: S) -> list[S]:
    """The steps a ticket in `current` may take, the usual one first."""
    steps = [FORWARD[current]] if current in FORWARD else []
    if current == S.RESOLVED:
        steps.append(S.CLOSED)
    if current in REOPENABLE:
        steps.append(S.INVESTIGATING)
    return steps


def refusal(current: S, target: S, facts: TicketFacts) -> str | None:
    """Why a ticket in `current` may not move to `target`, in the user's language; None when it may."""
    names = {"current": label(COMPLAINT_STATUS, current), "target": label(COMPLAINT_STATUS, target)}
    if target == current:
        return _("The ticket is already “{current}”.").format(**names)
    if target not in next_steps(current):
        allowed = _(", ").join(f"“{label(COMPLAINT_STATUS, s)}”" for s in next_steps(current))
        return _("A ticket that is “{current}” cannot move to “{target}”; it can move to {allowed}.").format(
            allowed=allowed, **names
        )
    if current in REOPENABLE and target == S.INVESTIGATING and not facts.note.strip():
        return _("Write why the ticket is reopened.")
    if target == S.RESOLVED and not facts.has_resolution:
        return _("Write the root cause and the action taken before resolving the ticket.")
    if target == S.FEEDBACK_GIVEN and not facts.has_feedback:
        return _("Record how the customer was told and their satisfaction (1–5).")
    if target == S.CLOSED and not facts.has_feedback and not facts.no_feedback_reason.strip():
        return _(
            "A ticket closes only with the customer's feedback recorded, "
            "or with the reason why none could be had."
        )
    return None


def kept_on_record(status: S, facts: TicketFacts) -> tuple[str, str] | None:
    """What a ticket at `status` may not lose by an edit — the resolution once resolved, the feedback or
    the reason for none once fed back or closed — as (field, message in the user's language)."""
    if status in (S.RESOLVED, S.FEEDBACK_GIVEN, S.CLOSED) and not facts.has_resolution:
        return "root_cause", _(
            "A resolved ticket keeps its root cause and the action taken; reopen it to change them."
        )
    if status == S.FEEDBACK_GIVEN and not facts.has_feedback:
        return "satisfaction", _("Record how the customer was told and their satisfaction (1–5).")
    if status == S.CLOSED and not facts.has_feedback and not facts.no_feedback_reason.strip():
        return "no_feedback_reason", _(
            "A ticket closes only with the customer's feedback recorded, "
            "or with the reason why none could be had."
        )
    return None


def step_name(from_status: str, to_status: str) -> str:
    """A workflow step as the history shows it: “Opened”, “Accepted”, … “Reopened”."""
    if not from_status:
        return _("Opened")
    if to_status == S.INVESTIGATING.value and S(from_status) in REOPENABLE:
        return _("Reopened")
    return label(COMPLAINT_STATUS, to_status)
