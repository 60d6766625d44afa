"""The command line's complaint commands: open, list and move tickets, the deadline check, the statistics."""

from __future__ import annotations

import argparse
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TextIO

from app import i18n
from app.cli import (
    CliError,
    customer_id_by_code,
    json_value,
    open_db,
    pad,
    parse_date,
    write_json,
    write_json_array,
)
from app.cli_contacts import parse_moment
from app.i18n import _
from app.models.complaint import OPEN_STATUSES
from app.models.enums import ComplaintStatus
from app.services import escalation, labels
from app.services.actor import DEFAULT_ACTOR
from app.services.complaint_stats import ComplaintStats, complaint_stats, preset_period, write_stats
from app.services.complaints import (
    CHANNELS,
    SEVERITIES,
    ComplaintService,
    TicketDetail,
    TicketFilter,
    TicketInput,
    TicketRow,
    time_left_text,
)
from app.services.validation import parse_money

STATUSES = [s.value for s in ComplaintStatus]
# `complaints list` shows every ticket unless --limit says otherwise; the service always wants a bound.
NO_LIMIT = 2**31 - 1


def parse_amount(value: str) -> Decimal | None:
    """An argparse type: yuan with at most two decimals (¥ and thousands separators allowed)."""
    try:
        return parse_money(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value} {error}") from None


def _moment(value: datetime | None) -> str | None:
    """A stored time in ISO form, in the machine's zone with its offset: what the user typed comes back."""
    return json_value(value.astimezone()) if value is not None else None


def _hours(delta: timedelta | None) -> float | None:
    return round(delta.total_seconds() / 3600, 2) if delta is not None else None


def _row_json(row: TicketRow, now: datetime) -> dict[str, Any]:
    left = row.time_left(now)
    return {
        "id": str(row.id),
        "number": row.number,
        "customer_code": row.customer_code,
        "customer_name": row.customer_name,
        "category": row.category,
        "severity": row.severity,
        "status": row.status,
        "received_at": _moment(row.received_at),
        "due_at": _moment(row.due_at),
        "escalation_level": row.escalation_level,
        "overdue": left is not None and left < timedelta(0),
        "time_left_hours": _hours(left),
        "responsible": row.responsible,
        "description": row.description,
    }


def _detail_json(detail: TicketDetail, row: TicketRow, now: datetime) -> dict[str, Any]:
    resolution, feedback = detail.resolution, detail.feedback
    return {
        **_row_json(row, now),
        "description": detail.data.description,  # whole, where the list row has its start
        "channel": detail.data.channel,
        "root_cause": resolution.root_cause,
        "action_taken": resolution.action_taken,
        "preventive_action": resolution.preventive_action,
        "compensation": json_value(resolution.compensation),
        "feedback_channel": feedback.channel,
        "satisfaction": feedback.satisfaction,
        "feedback_comment": feedback.comment,
        "no_feedback_reason": feedback.no_feedback_reason,
        "resolved_at": _moment(detail.resolved_at),
        "closed_at": _moment(detail.closed_at),
        "version": detail.version,
        "steps": [
            {"at": _moment(s.at), "from": s.from_status, "to": s.to_status, "who": s.who, "note": s.note}
            for s in detail.steps
        ],
    }


def _reply(args, service: ComplaintService, detail: TicketDetail, line: str, out: TextIO) -> int:
    """What `open` and `move` print: the ticket as JSON (as the lists show it, and its details), or a line."""
    if args.json:
        row = service.row(DEFAULT_ACTOR, detail.id)
        write_json(_detail_json(detail, row, datetime.now(timezone.utc)), out)
    else:
        out.write(line + "\n")
    return 0


def _category_id(service: ComplaintService, text: str) -> uuid.UUID:
    """A category by its key (product_quality …), or its name as shown in either language or as the office
    named it, whatever the case."""
    wanted = " ".join(text.split()).casefold()
    categories = service.categories(DEFAULT_ACTOR)
    by_key = [c for c in categories if c.key and c.key.casefold() == wanted]
    if by_key:
        return by_key[0].id
    found = []
    for category in categories:
        names = {category.name}
        if category.key in labels.COMPLAINT_CATEGORY:
            built_in = labels.COMPLAINT_CATEGORY[category.key]
            names |= {i18n.translate_to(language, built_in) for language in i18n.LANGUAGES}
        if wanted in {name.casefold() for name in names}:
            found.append(category)
    if len(found) == 1:
        return found[0].id
    if found:
        raise CliError(
            _("“{value}” names more than one category: {names}.").format(
                value=text, names=", ".join(c.name for c in found)
            )
        )
    raise CliError(
        _("“{value}” is not a complaint category; use one of: {names}.").format(
            value=text, names=", ".join(c.key or c.name for c in categories)
        )
    )


def cmd_open(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = ComplaintService(db)
        detail = service.open(
            DEFAULT_ACTOR,
            TicketInput(
                customer_id=customer_id_by_code(db, args.code),
                channel=args.channel,
                received_at=args.received,
                category_id=_category_id(service, args.category),
                severity=args.severity,
                description=args.description,
            ),
        )
        return _reply(
            args,
            service,
            detail,
            _("Complaint #{number} opened for {code}, due {due}.").format(
                number=detail.number, code=detail.customer_code, due=i18n.format_datetime(detail.due_at)
            ),
            out,
        )
    finally:
        db.dispose()


def _time_left(left: timedelta | None) -> str:
    return "" if left is None else time_left_text(left)


def cmd_list(args, out: TextIO) -> int:
    if args.limit is not None and args.limit < 0:
        raise CliError(_("--limit must be 0 or more."))
    now = args.as_of or datetime.now(timezone.utc)
    db = open_db(args.db, create=False)
    try:
        wanted = TicketFilter(
            statuses=tuple(args.status or ()),
            overdue_only=args.overdue,
            customer_id=customer_id_by_code(db, args.customer) if args.customer else None,
            as_of=now,
        )
        page = ComplaintService(db).list(
            DEFAULT_ACTOR, wanted, limit=NO_LIMIT if args.limit is None else args.limit
        )
    finally:
        db.dispose()
    if args.json:
        write_json_array((_row_json(r, now) for r in page.rows), out)
        return 0
    for r in page.rows:
        out.write(
            f"{pad('#' + str(r.number), 7)}  {pad(r.customer_code, 8)}  {pad(r.customer_name, 24)}  "
            f"{pad(r.category, 16)}  {pad(labels.label(labels.COMPLAINT_STATUS, r.status), 14)}  "
            f"{pad(i18n.format_datetime(r.due_at), 24)}  {_time_left(r.time_left(now))}\n"
        )
    out.write(_("{shown} of {total} tickets.").format(shown=len(page.rows), total=page.total) + "\n")
    return 0


def _given(current, **values):
    """`current` with the values the command line gave (the others kept); None when it gave none."""
    changes = {name: value for name, value in values.items() if value is not None}
    return replace(current, **changes) if changes else None


def cmd_move(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = ComplaintService(db)
        ticket_id = service.find(DEFAULT_ACTOR, args.ticket)
        before = service.get(DEFAULT_ACTOR, ticket_id)
        detail = service.move(
            DEFAULT_ACTOR,
            ticket_id,
            args.to,
            args.note or "",
            version=before.version,  # what this command read is what it saves over
            resolution=_given(
                before.resolution,
                root_cause=args.root_cause,
                action_taken=args.action,
                preventive_action=args.preventive,
                compensation=args.compensation,
            ),
            feedback=_given(
                before.feedback,
                channel=args.told_by,
                satisfaction=args.satisfaction,
                comment=args.comment,
                no_feedback_reason=args.no_feedback_reason,
            ),
        )
        return _reply(
            args,
            service,
            detail,
            _("Complaint #{number} is now “{status}”.").format(
                number=detail.number, status=labels.label(labels.COMPLAINT_STATUS, detail.status)
            ),
            out,
        )
    finally:
        db.dispose()


def cmd_check_deadlines(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        done = escalation.check_deadlines(db, DEFAULT_ACTOR, now=args.as_of)
    finally:
        db.dispose()
    if args.json:
        write_json_array(
            (
                {
                    "id": str(e.ticket_id),
                    "number": e.number,
                    "level": e.level,
                    "to": e.to_name,
                    "to_staff_id": str(e.to_staff_id),
                    "propose_reassign": e.propose_reassign,
                }
                for e in done
            ),
            out,
        )
        return 0
    for e in done:
        line = _("Complaint #{number}: level {level}, to {name}.").format(
            number=e.number, level=e.level, name=e.to_name
        )
        if e.propose_reassign:
            line += " " + _("Consider moving the customer to other staff.")
        out.write(line + "\n")
    if done:
        out.write(
            _("{escalations} escalations on {tickets} tickets.").format(
                escalations=len(done), tickets=len({e.ticket_id for e in done})
            )
            + "\n"
        )
    else:
        out.write(_("No ticket is newly overdue.") + "\n")
    return 0


def _pairs_json(pairs: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"name": name, "tickets": n} for name, n in pairs]


def _rounded(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def _stats_json(stats: ComplaintStats) -> dict[str, Any]:
    return {
        "from": json_value(stats.start),
        "to": json_value(stats.end),
        "as_of": _moment(stats.as_of),
        "received": stats.received,
        # open_by_status comes in workflow order, the order of OPEN_STATUSES: the key goes with each label
        "open_by_status": [
            {"status": key, "name": name, "tickets": n}
            for key, (name, n) in zip(OPEN_STATUSES, stats.open_by_status, strict=True)
        ],
        "open_by_age": _pairs_json(stats.open_by_age),
        "by_category": _pairs_json(stats.by_category),
        "by_tier": _pairs_json(stats.by_tier),
        "by_staff": _pairs_json(stats.by_staff),
        "resolved": stats.resolved,
        "mean_hours": _rounded(stats.mean_hours, 2),
        "p90_hours": _rounded(stats.p90_hours, 2),
        "on_time": stats.on_time,
        "on_time_base": stats.on_time_base,
        "on_time_share": _rounded(stats.on_time_share, 4),
        "satisfaction_mean": _rounded(stats.satisfaction_mean, 2),
        "satisfaction_count": stats.satisfaction_count,
    }


def _write_stats_text(stats: ComplaintStats, out: TextIO) -> None:
    def number(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    share = stats.on_time_share
    out.write(
        _("Complaints received from {start} to {end}: {n}").format(
            start=i18n.format_date(stats.start), end=i18n.format_date(stats.end), n=stats.received
        )
        + "\n"
    )
    figures = [
        (_("Resolved"), str(stats.resolved)),
        (_("Average resolution time (hours)"), number(stats.mean_hours)),
        (_("90th percentile resolution time (hours)"), number(stats.p90_hours)),
        (
            _("Resolved on time"),
            "—" if share is None else f"{share:.0%} ({stats.on_time}/{stats.on_time_base})",
        ),
        (_("Average satisfaction (1–5)"), f"{number(stats.satisfaction_mean)} ({stats.satisfaction_count})"),
    ]
    for name, value in figures:
        out.write(f"  {pad(name, 42)}  {value}\n")
    for title, pairs in stats.breakdowns():
        out.write("\n" + title + "\n")
        out.writelines(f"  {pad(name, 40)}  {n}\n" for name, n in pairs)


def cmd_stats(args, out: TextIO) -> int:
    end = args.to or date.today()
    start = args.start or preset_period("last_12_months", end)[0]
    db = open_db(args.db, create=False)
    try:
        stats = complaint_stats(db, DEFAULT_ACTOR, start, end, as_of=args.as_of)
    finally:
        db.dispose()
    if args.xlsx:
        write_stats(stats, args.xlsx)
    if args.json:
        write_json(_stats_json(stats), out)
        return 0
    _write_stats_text(stats, out)
    if args.xlsx:
        out.write("\n" + _("Written to {file}.").format(file=args.xlsx) + "\n")
    return 0


def add_parsers(commands, db_option) -> None:
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
    complaints = commands.add_parser(
        "complaints",
        parents=[db_option],
        help=_("complaint tickets, their deadlines and statistics"),
        description=_(
            "DATETIME is an ISO date or date and time, e.g. '2026-03-02 10:00': local time unless it "
            "gives an offset; a date alone means its noon."
        ),
    )
    actions = complaints.add_subparsers(dest="complaints_command", metavar="ACTION", required=True)

    opening = actions.add_parser("open", parents=[db_option, json_flag], help=_("open a complaint ticket"))
    opening.add_argument("code", metavar="CODE", help=_("the customer's code"))
    opening.add_argument(
        "--category",
        required=True,
        metavar="C",
        help=_("a category's key (product_quality, delivery …) or its name"),
    )
    opening.add_argument("--severity", required=True, choices=SEVERITIES)
    opening.add_argument("--description", required=True, metavar="TEXT")
    opening.add_argument(
        "--received", type=parse_moment, metavar="DATETIME", help=_("when it came in (default: now)")
    )
    opening.add_argument(
        "--channel", choices=CHANNELS, default=CHANNELS[0], help=_("how it came in (default: phone)")
    )
    opening.set_defaults(func=cmd_open)

    listing = actions.add_parser("list", parents=[db_option, json_flag], help=_("list complaint tickets"))
    listing.add_argument(
        "--status", choices=STATUSES, action="append", help=_("only this status (may be given again)")
    )
    listing.add_argument("--overdue", action="store_true", help=_("only open tickets past their deadline"))
    listing.add_argument(
        "--as-of", type=parse_moment, metavar="DATETIME", help=_("overdue at this moment (default: now)")
    )
    listing.add_argument("--customer", metavar="CODE", help=_("only this customer's tickets"))
    listing.add_argument("--limit", type=int, metavar="N", help=_("at most N tickets (default: all)"))
    listing.set_defaults(func=cmd_list)

    moving = actions.add_parser(
        "move", parents=[db_option, json_flag], help=_("take a workflow step, with what it needs")
    )
    moving.add_argument("ticket", metavar="ID", help=_("the ticket's number (12 or #12) or id"))
    moving.add_argument("--to", required=True, choices=STATUSES, help=_("the status to move to"))
    moving.add_argument("--note", metavar="TEXT", help=_("the step's note (a reopen's reason)"))
    resolution = moving.add_argument_group(_("resolution"))
    resolution.add_argument("--root-cause", metavar="TEXT")
    resolution.add_argument("--action", metavar="TEXT", help=_("the action taken"))
    resolution.add_argument("--preventive", metavar="TEXT", help=_("the corrective and preventive action"))
    resolution.add_argument("--compensation", type=parse_amount, metavar="YUAN")
    feedback = moving.add_argument_group(_("the customer's feedback"))
    feedback.add_argument("--told-by", choices=CHANNELS, help=_("how the customer was told"))
    feedback.add_argument("--satisfaction", type=int, metavar="N", help=_("the customer's satisfaction, 1–5"))
    feedback.add_argument("--comment", metavar="TEXT", help=_("the customer's comment"))
    feedback.add_argument(
        "--no-feedback-reason", metavar="TEXT", help=_("why no feedback could be had (to close without it)")
    )
    moving.set_defaults(func=cmd_move)

    checking = actions.add_parser(
        "check-deadlines",
        parents=[db_option, json_flag],
        help=_("escalate the tickets overdue at a moment, and say what was done"),
    )
    checking.add_argument(
        "--as-of", type=parse_moment, metavar="DATETIME", help=_("the moment (default: now)")
    )
    checking.set_defaults(func=cmd_check_deadlines)

    counting = actions.add_parser(
        "stats", parents=[db_option, json_flag], help=_("complaint statistics for a period")
    )
    counting.add_argument(
        "--from",
        dest="start",
        type=parse_date,
        metavar="DATE",
        help=_("the first day received (default: a year before --to)"),
    )
    counting.add_argument(
        "--to", type=parse_date, metavar="DATE", help=_("the last day received (default: today)")
    )
    counting.add_argument(
        "--as-of",
        type=parse_moment,
        metavar="DATETIME",
        help=_("open tickets and ages at this moment (default: now)"),
    )
    counting.add_argument("--xlsx", metavar="FILE.xlsx", help=_("also write the statistics as a workbook"))
    counting.set_defaults(func=cmd_stats)
