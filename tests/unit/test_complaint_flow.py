"""The complaint workflow's steps: every pair of statuses, allowed or refused, listed by hand."""

from __future__ import annotations

import itertools

import pytest

from app import i18n
from app.models.enums import ComplaintStatus as S
from app.services.complaint_flow import TicketFacts, next_steps, refusal

# Everything a step could ask for, present: only the order of the workflow can refuse.
READY = TicketFacts(
    has_resolution=True, has_feedback=True, no_feedback_reason="客户拒绝回访", note="客户再次来电"
)
ALLOWED = {
    (S.NEW, S.ACCEPTED),
    (S.ACCEPTED, S.INVESTIGATING),
    (S.INVESTIGATING, S.RESOLVED),
    (S.RESOLVED, S.FEEDBACK_GIVEN),
    (S.RESOLVED, S.CLOSED),  # with the reason why no feedback could be had
    (S.FEEDBACK_GIVEN, S.CLOSED),
    (S.RESOLVED, S.INVESTIGATING),  # reopened
    (S.FEEDBACK_GIVEN, S.INVESTIGATING),  # reopened
    (S.CLOSED, S.INVESTIGATING),  # reopened
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_step_is_allowed_or_refused_by_the_workflow(current, target):
    reason = refusal(current, target, READY)
    if (current, target) in ALLOWED:
        assert reason is None
    else:
        assert reason  # a refusal says why
        assert target == current or target not in next_steps(current)


def test_a_refusal_names_both_steps_and_what_may_follow():
    assert refusal(S.NEW, S.CLOSED, READY) == (
        "A ticket that is “Received” cannot move to “Closed”; it can move to “Accepted”."
    )
    assert refusal(S.CLOSED, S.CLOSED, READY) == "The ticket is already “Closed”."


def test_a_refusal_in_chinese():
    i18n.set_language("zh_CN")
    try:
        assert refusal(S.NEW, S.CLOSED, READY) == "状态为“已接收”的投诉单不能转为“已关闭”；可以转为“已受理”。"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(
    ("current", "target", "facts", "says"),
    [
        (S.INVESTIGATING, S.RESOLVED, TicketFacts(), "root cause"),
        (S.RESOLVED, S.FEEDBACK_GIVEN, TicketFacts(has_resolution=True), "satisfaction"),
        (S.RESOLVED, S.CLOSED, TicketFacts(has_resolution=True), "feedback recorded"),
        # Fed back, then the feedback cleared: it is not closed as if it had some.
        (S.FEEDBACK_GIVEN, S.CLOSED, TicketFacts(has_resolution=True), "feedback recorded"),
        (S.CLOSED, S.INVESTIGATING, TicketFacts(has_resolution=True, has_feedback=True), "reopened"),
        (S.RESOLVED, S.INVESTIGATING, TicketFacts(note="   "), "reopened"),
    ],
)
def test_a_step_waits_for_what_it_needs(current, target, facts, says):
    assert says in refusal(current, target, facts)


def test_a_fed_back_ticket_closes_without_a_reason():
    assert refusal(S.FEEDBACK_GIVEN, S.CLOSED, TicketFacts(has_resolution=True, has_feedback=True)) is None
