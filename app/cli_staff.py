"""The command line's staff commands: list, add and leave staff, hand customers over, the service watch."""

from __future__ import annotations

import argparse
import uuid
from typing import Any, TextIO

from app import i18n
from app.cli import CliError, json_value, open_db, pad, parse_date, write_json, write_json_array
from app.i18n import _
from app.models.enums import StaffRole
from app.services import handover, labels, watch
from app.services.actor import DEFAULT_ACTOR
from app.services.staff import StaffInfo, StaffInput, StaffService


def _staff_json(info: StaffInfo) -> dict[str, Any]:
    return {
        "id": str(info.id),
        "name": info.name,
        "department": info.department,
        "role": info.role,
        "phone": info.phone,
        "email": info.email,
        "active": info.active,
        "left_on": json_value(info.left_on),
        "customers": info.customers,
    }


def _staff_line(info: StaffInfo) -> str:
    state = _("active") if info.active else _("left {date}").format(date=i18n.format_date(info.left_on))
    role = labels.label(labels.STAFF_ROLE, info.role)
    return (
        f"{pad(info.name, 12)}  {pad(info.department, 14)}  {pad(role, 18)}  {pad(state, 18)}  "
        + _("{n} customers").format(n=info.customers)
        + f"  {info.id}"
    )


def cmd_staff_list(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        people = StaffService(db).staff(DEFAULT_ACTOR, include_left=args.all)
    finally:
        db.dispose()
    if args.json:
        write_json_array((_staff_json(p) for p in people), out)
        return 0
    for person in people:
        out.write(_staff_line(person) + "\n")
    return 0


def _department_id(service: StaffService, name: str) -> uuid.UUID:
    """The department of this name (any case), created if there is none."""
    wanted = " ".join(name.split())
    for department in service.departments(DEFAULT_ACTOR):
        if department.name.casefold() == wanted.casefold():
            return department.id
    return service.save_department(DEFAULT_ACTOR, wanted).id


def cmd_staff_add(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = StaffService(db)
        department_id = _department_id(service, args.department) if args.department else None
        info = service.save(
            DEFAULT_ACTOR,
            StaffInput(
                name=args.name,
                department_id=department_id,
                role=args.role,
                phone=args.phone or "",
                email=args.email or "",
            ),
        )
    finally:
        db.dispose()
    if args.json:
        write_json(_staff_json(info), out)
        return 0
    out.write(_("Added {name} ({id}).").format(name=info.name, id=info.id) + "\n")
    return 0


def cmd_staff_leave(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = StaffService(db)
        person = service.find(DEFAULT_ACTOR, args.staff)
        info = service.leave(DEFAULT_ACTOR, person.id, args.on)
    finally:
        db.dispose()
    out.write(_("{name} left on {date}.").format(name=info.name, date=i18n.format_date(info.left_on)) + "\n")
    if info.customers:
        out.write(
            _(
                "{n} customers are still theirs: hand them over with clientdesk handover --from {name} --to …"
            ).format(n=info.customers, name=info.name)
            + "\n"
        )
    return 0


def cmd_handover(args, out: TextIO) -> int:
    names = [n.strip() for n in args.to.split(",") if n.strip()]
    if not names:
        raise CliError(_("Name at least one staff member after --to."))
    db = open_db(args.db, create=False)
    try:
        service = StaffService(db)
        leaver = service.find(DEFAULT_ACTOR, args.from_staff)
        recipients = [service.find(DEFAULT_ACTOR, name) for name in names]
        shown = {r.id: r.name for r in recipients}
        if len(set(shown.values())) < len(shown):
            shown = {r.id: f"{r.name} ({r.id})" for r in recipients}
        found = handover.situation(db, DEFAULT_ACTOR, leaver.id, args.as_of)
        assignment = handover.split(found.customers, [r.id for r in recipients], args.split, leaver.id)
        result = handover.execute(
            db, DEFAULT_ACTOR, leaver.id, assignment, mark_left=args.leave, as_of=args.as_of
        )
    finally:
        db.dispose()
    per_recipient = {shown[k]: n for k, n in result.per_recipient.items()}
    if args.json:
        write_json(
            {
                "moved": result.moved,
                "per_recipient": per_recipient,
                "follow_ups_moved": result.follow_ups_moved,
                "follow_ups_created": result.follow_ups_created,
                "follow_ups_reassigned": result.follow_ups_reassigned,
                "marked_left": result.marked_left,
            },
            out,
        )
        return 0
    out.write(_("{n} customers of {name} handed over.").format(n=result.moved, name=leaver.name) + "\n")
    for name, n in per_recipient.items():
        out.write("  " + _("{name}: {n} customers").format(name=name, n=n) + "\n")
    out.write(
        _("Open follow-ups moved: {moved}; introductions planned: {created}.").format(
            moved=result.follow_ups_moved, created=result.follow_ups_created
        )
        + "\n"
    )
    if result.marked_left:
        out.write(_("{name} is marked as left.").format(name=leaver.name) + "\n")
    if result.follow_ups_reassigned:
        out.write(_(handover.REASSIGNED).format(n=result.follow_ups_reassigned) + "\n")
    return 0


def cmd_watch_lapsed(args, out: TextIO) -> int:
    if args.days is not None and args.days < 0:
        raise CliError(_("--days must be 0 or more."))
    if args.limit is not None and args.limit < 0:
        raise CliError(_("--limit must be 0 or more."))
    db = open_db(args.db, create=False)
    try:
        staff_id = StaffService(db).find(DEFAULT_ACTOR, args.staff).id if args.staff else None
        total, rows = watch.lapsed(
            db, DEFAULT_ACTOR, as_of=args.as_of, days=args.days, staff_id=staff_id, limit=args.limit
        )
    finally:
        db.dispose()
    if args.json:
        write_json_array(
            (
                {
                    "code": r.code,
                    "name": r.name,
                    "tier": r.tier,
                    "category": r.category,
                    "manager": r.manager,
                    "last_contact_at": json_value(r.last_contact_at),
                    "days_without": r.days_without,
                }
                for r in rows
            ),
            out,
        )
        return 0
    for r in rows:
        last = i18n.format_datetime(r.last_contact_at) if r.last_contact_at else _("never")
        out.write(
            f"{pad(r.code, 8)}  {pad(r.name, 30)}  {pad(labels.label(labels.TIER_NAMES, r.tier), 10)}  "
            f"{pad(r.manager, 10)}  "
            + _("{days} days without contact (last: {last})").format(days=r.days_without, last=last)
            + "\n"
        )
    out.write(_("{n} customers without contact for too long.").format(n=total) + "\n")
    return 0


def cmd_watch_understaffed(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        rows = watch.understaffed(db, DEFAULT_ACTOR)
    finally:
        db.dispose()
    if args.json:
        write_json_array(
            (
                {
                    "code": r.code,
                    "name": r.name,
                    "tier": r.tier,
                    "category": r.category,
                    "manager": r.manager,
                    "staff_count": r.staff_count,
                }
                for r in rows
            ),
            out,
        )
        return 0
    for r in rows:
        out.write(
            f"{pad(r.code, 8)}  {pad(r.name, 30)}  {pad(labels.label(labels.TIER_NAMES, r.tier), 10)}  "
            f"{pad(r.manager, 10)}  " + _("{n} staff").format(n=r.staff_count) + "\n"
        )
    out.write(_("{n} key customers with fewer than two staff.").format(n=len(rows)) + "\n")
    return 0


def cmd_watch_overview(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        rows = watch.overview(db, DEFAULT_ACTOR, as_of=args.as_of)
    finally:
        db.dispose()
    if args.json:
        write_json_array(
            (
                {
                    "id": str(r.staff_id),
                    "name": r.name,
                    "department": r.department,
                    "active": r.active,
                    "customers": r.customers,
                    "by_tier": r.by_tier,
                    "revenue_12m": json_value(r.revenue_12m),
                    "contacts_30": r.contacts_30,
                    "contacts_90": r.contacts_90,
                    "overdue_follow_ups": r.overdue_follow_ups,
                    "lapsed": r.lapsed,
                }
                for r in rows
            ),
            out,
        )
        return 0
    for r in rows:
        out.write(
            f"{pad(r.name, 12)}  {pad(r.department, 14)}  "
            + _(
                "customers {customers}, revenue 12 months {revenue}, contacts 30/90 days {c30}/{c90}, "
                "overdue follow-ups {overdue}, without contact {lapsed}"
            ).format(
                customers=r.customers,
                revenue=i18n.format_money(r.revenue_12m),
                c30=r.contacts_30,
                c90=r.contacts_90,
                overdue=r.overdue_follow_ups,
                lapsed=r.lapsed,
            )
            + "\n"
        )
    return 0


def add_parsers(commands, db_option) -> None:
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))

    staff = commands.add_parser("staff", parents=[db_option], help=_("list, add and mark leaving staff"))
    staff_commands = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    listing = staff_commands.add_parser("list", parents=[db_option, json_flag], help=_("list the staff"))
    listing.add_argument("--all", action="store_true", help=_("former staff too"))
    listing.set_defaults(func=cmd_staff_list)
    add = staff_commands.add_parser("add", parents=[db_option, json_flag], help=_("add a staff member"))
    add.add_argument("name", metavar="NAME")
    add.add_argument("--department", metavar="NAME", help=_("the department (made if there is none)"))
    add.add_argument(
        "--role",
        choices=[r.value for r in StaffRole],
        default=StaffRole.SALES.value,
        help=_("default: sales"),
    )
    add.add_argument("--phone")
    add.add_argument("--email")
    add.set_defaults(func=cmd_staff_add)
    leave = staff_commands.add_parser("leave", parents=[db_option], help=_("mark a staff member as left"))
    leave.add_argument("staff", metavar="STAFF", help=_("a name or an id"))
    leave.add_argument("--on", type=parse_date, metavar="DATE", help=_("the day they left (default: today)"))
    leave.set_defaults(func=cmd_staff_leave)

    moving = commands.add_parser(
        "handover", parents=[db_option, json_flag], help=_("hand a staff member's customers over to others")
    )
    moving.add_argument(
        "--from", dest="from_staff", required=True, metavar="STAFF", help=_("a name or an id")
    )
    moving.add_argument("--to", required=True, metavar="STAFF[,STAFF...]", help=_("who takes the customers"))
    moving.add_argument(
        "--split",
        choices=handover.SPLITS,
        default=handover.BY_COUNT,
        help=_("share them out by number of customers (default) or balance their revenue"),
    )
    moving.add_argument("--leave", action="store_true", help=_("also mark the person as left"))
    moving.add_argument(
        "--as-of", type=parse_date, metavar="DATE", help=_("the handover's day (default: today)")
    )
    moving.set_defaults(func=cmd_handover)

    watching = commands.add_parser("watch", parents=[db_option], help=_("service watch"))
    watch_commands = watching.add_subparsers(dest="watch_command", metavar="WHAT", required=True)
    lapsed = watch_commands.add_parser(
        "lapsed", parents=[db_option, json_flag], help=_("customers without contact for too long")
    )
    lapsed.add_argument(
        "--days", type=int, metavar="N", help=_("more than N days (default: each tier's setting)")
    )
    lapsed.add_argument("--as-of", type=parse_date, metavar="DATE", help=_("as of this day (default: today)"))
    lapsed.add_argument("--staff", metavar="STAFF", help=_("only this account manager's customers"))
    lapsed.add_argument("--limit", type=int, metavar="N", help=_("at most N customers (default: all)"))
    lapsed.set_defaults(func=cmd_watch_lapsed)
    understaffed = watch_commands.add_parser(
        "understaffed", parents=[db_option, json_flag], help=_("key customers with fewer than two staff")
    )
    understaffed.set_defaults(func=cmd_watch_understaffed)
    overview = watch_commands.add_parser(
        "overview", parents=[db_option, json_flag], help=_("each account manager's figures")
    )
    overview.add_argument(
        "--as-of", type=parse_date, metavar="DATE", help=_("as of this day (default: today)")
    )
    overview.set_defaults(func=cmd_watch_overview)
