"""The command line's contact commands: log a contact, list a customer's logs, the follow-ups due."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timezone
from typing import TextIO

from app.cli import CliError, customer_id_by_code, json_value, open_db, parse_date, write_json_array
from app.i18n import _, format_date, format_datetime
from app.services import labels
from app.services.actor import DEFAULT_ACTOR
from app.services.contacts import ContactLogDetail, ContactLogInput, ContactService
from app.services.followups import FollowUpInfo, FollowUpService, contact_plan
from app.services.import_values import parse_choice
from app.services.staff import StaffService


def parse_moment(value: str) -> datetime:
    """An argparse type: "2026-11-20 14:30" (local time), ISO with an offset, or a date (its noon)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a date and time: write it as YYYY-MM-DD HH:MM.").format(value=value)
        ) from None
    if len(value.strip()) == 10:  # a date alone: noon, so no time zone moves it to another day
        moment = datetime.combine(moment.date(), time(12))
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the computer's own time zone
    return moment.astimezone(timezone.utc)


def _staff_ids(db, text: str | None) -> tuple:
    if not text:
        return ()
    service = StaffService(db)
    names = [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    return tuple(service.find(DEFAULT_ACTOR, name).id for name in names)


def _log_json(detail: ContactLogDetail, code: str) -> dict:
    data = detail.data
    return {
        "id": str(detail.id),
        "customer": code,
        "type": data.kind,
        "at": json_value(data.occurred_at),
        "staff": list(detail.staff_names),
        "contact_person": detail.contact_person,
        "subject": data.subject,
        "summary": data.summary,
        "outcome": data.outcome,
        "next_step": data.next_step,
        "next_date": json_value(data.next_date),
        "completes": json_value(data.completes),
        "author": detail.author,
    }


def cmd_log(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        customer_id = customer_id_by_code(db, args.code)
        contacts = ContactService(db)
        try:
            kind = parse_choice("kind", args.type)
        except ValueError:
            names = ", ".join(labels.CONTACT_KIND)
            raise CliError(
                _("--type {value} is not a contact type; use one of {names}.").format(
                    value=args.type, names=names
                )
            ) from None
        occurred = args.at or datetime.now(timezone.utc)
        day = occurred.astimezone().date()
        plan = contact_plan(FollowUpService(db).for_customer(DEFAULT_ACTOR, customer_id), day)
        completes = plan.answers
        next_date = args.next
        if next_date is None and not args.no_next and plan.plan_next:
            next_date = contacts.proposed_next(DEFAULT_ACTOR, customer_id, day).due_on
        detail = contacts.log(
            DEFAULT_ACTOR,
            customer_id,
            ContactLogInput(
                kind=kind,
                occurred_at=occurred,
                staff_ids=_staff_ids(db, args.staff),
                subject=args.subject or "",
                summary=args.summary,
                next_step=args.next_step or "",
                next_date=next_date,
                completes=completes.id if completes else None,
            ),
        )
    finally:
        db.dispose()
    if args.json:
        write_json_array([_log_json(detail, args.code.strip().upper())], out)
        return 0
    out.write(_("Contact logged for {code}.").format(code=args.code.strip().upper()) + "\n")
    if completes is not None:
        out.write(_("Follow-up done: {purpose}").format(purpose=completes.purpose) + "\n")
    if next_date is not None:
        out.write(_("Next contact planned for {date}.").format(date=format_date(next_date)) + "\n")
    return 0


def cmd_list(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        logs = ContactService(db).logs(DEFAULT_ACTOR, customer_id_by_code(db, args.code))
    finally:
        db.dispose()
    code = args.code.strip().upper()
    if args.json:
        write_json_array((_log_json(d, code) for d in logs), out)
        return 0
    for d in logs:
        what = " — ".join(x for x in (d.data.subject, d.data.summary) if x)
        kind = labels.label(labels.CONTACT_KIND, d.data.kind)
        out.write(f"{format_datetime(d.data.occurred_at)}  {kind}  {', '.join(d.staff_names)}  {what}\n")
    if not logs:
        out.write(_("No contacts logged for {code}.").format(code=code) + "\n")
    return 0


def _follow_up_json(f: FollowUpInfo, section: str) -> dict:
    return {
        "id": str(f.id),
        "due": section,
        "due_on": json_value(f.due_on),
        "customer": f.customer_code,
        "customer_name": f.customer_name,
        "tier": f.tier,
        "owner": f.owner,
        "purpose": f.purpose,
        "origin": f.origin,
    }


def cmd_due(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        staff_id = StaffService(db).find(DEFAULT_ACTOR, args.staff).id if args.staff else None
        lists = FollowUpService(db).due(DEFAULT_ACTOR, staff_id, args.as_of or date.today())
    finally:
        db.dispose()
    sections = (("overdue", lists.overdue), ("today", lists.today), ("week", lists.this_week))
    if args.json:
        write_json_array((_follow_up_json(f, name) for name, items in sections for f in items), out)
        return 0
    titles = {"overdue": _("Overdue"), "today": _("Due today"), "week": _("This week")}
    for name, items in sections:
        out.write(f"{titles[name]} ({len(items)})\n")
        for f in items:
            out.write(
                f"  {format_date(f.due_on)}  {f.customer_code} {f.customer_name}  {f.owner}  {f.purpose}\n"
            )
    return 0


def add_parsers(commands, db_option) -> None:
    json_help = _("print JSON (UTF-8)")
    contacts = commands.add_parser("contacts", parents=[db_option], help=_("contact logs"))
    contact_commands = contacts.add_subparsers(dest="contacts_command", metavar="ACTION", required=True)
    log = contact_commands.add_parser("log", parents=[db_option], help=_("log a contact with a customer"))
    log.add_argument("code", metavar="CODE")
    log.add_argument(
        "--type",
        required=True,
        metavar="T",
        help=_("phone, visit, letter, fax, email, wechat, meeting or other"),
    )
    log.add_argument("--summary", required=True, metavar="TEXT")
    log.add_argument("--subject", metavar="TEXT")
    log.add_argument(
        "--at", type=parse_moment, metavar="DATETIME", help=_("when, e.g. '2026-11-20 14:30' (default: now)")
    )
    log.add_argument("--staff", metavar="S", help=_("who took part: names or ids, comma separated"))
    log.add_argument("--next-step", metavar="TEXT", help=_("what to do next"))
    plan = log.add_mutually_exclusive_group()
    plan.add_argument(
        "--next", type=parse_date, metavar="DATE", help=_("the next contact (default: by the tier's cadence)")
    )
    plan.add_argument("--no-next", action="store_true", help=_("plan no next contact"))
    log.add_argument("--json", action="store_true", help=json_help)
    log.set_defaults(func=cmd_log)
    listing = contact_commands.add_parser("list", parents=[db_option], help=_("a customer's contact logs"))
    listing.add_argument("code", metavar="CODE")
    listing.add_argument("--json", action="store_true", help=json_help)
    listing.set_defaults(func=cmd_list)

    followups = commands.add_parser("followups", parents=[db_option], help=_("planned contacts"))
    followup_commands = followups.add_subparsers(dest="followups_command", metavar="ACTION", required=True)
    due = followup_commands.add_parser(
        "due", parents=[db_option], help=_("open follow-ups: overdue, due today, this week")
    )
    due.add_argument("--staff", metavar="S", help=_("only this staff member's (name or id)"))
    due.add_argument("--as-of", type=parse_date, metavar="DATE", help=_("the day (default: today)"))
    due.add_argument("--json", action="store_true", help=json_help)
    due.set_defaults(func=cmd_due)
