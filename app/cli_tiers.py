"""The command line's tier commands: rule sets, evaluate, apply, override, history, and the tier report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from app import i18n
from app.cli import (
    CliError,
    customer_id_by_code,
    json_value,
    open_db,
    parse_date,
    write_json,
    write_json_array,
)
from app.i18n import _
from app.services.actor import DEFAULT_ACTOR
from app.services.import_values import parse_choice
from app.services.tier_rules import METHODS, RuleDefinition, dimension_label
from app.services.tiers import EvaluationInfo, TierService, tier_name


def _rule_set_json(info) -> dict:
    definition = json.loads(info.definition.to_json())
    return {
        "id": str(info.id),
        "name": info.name,
        "method": info.method,
        "version": info.version,
        "in_use": info.in_use,
        "updated_at": json_value(info.updated_at),
        **definition,
    }


def cmd_rules_list(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        rule_sets = TierService(db).rule_sets(DEFAULT_ACTOR)
    finally:
        db.dispose()
    if args.json:
        write_json_array((_rule_set_json(r) for r in rule_sets), out)
        return 0
    for r in rule_sets:
        mark = "*" if r.in_use else " "
        out.write(
            f"{mark} {r.name}  ({_(METHODS[r.method])}, " + _("version {n}").format(n=r.version) + ")\n"
        )
    return 0


def cmd_rules_show(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        info = TierService(db).rule_set(DEFAULT_ACTOR, args.name)
    finally:
        db.dispose()
    if args.json:
        write_json(_rule_set_json(info), out)
        return 0
    rules: RuleDefinition = info.definition
    out.write(f"{info.name}  ({_(METHODS[info.method])}, " + _("version {n}").format(n=info.version) + ")\n")
    for d in rules.dimensions:
        thresholds = ", ".join(f"{t:g}" for t in d.thresholds)
        out.write(f"  {dimension_label(d.key)}: {d.weight:g}  {d.scale} {thresholds}\n")
    for t in rules.tiers:
        out.write(f"  {t.name} [{t.key}]  " + _("contact every {n} days").format(n=t.cadence_days) + "\n")
    return 0


def _evaluation_json(info: EvaluationInfo, proposals) -> dict:
    return {
        "evaluation": str(info.id),
        "rule_set": info.rule_set_name,
        "rule_version": info.rule_version,
        "as_of": info.as_of.isoformat(),
        "customers": info.customers,
        "changes": info.changes,
        "proposals": proposals,
    }


def cmd_evaluate(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = TierService(db)
        info = service.evaluate(DEFAULT_ACTOR, args.rule_set, args.as_of)
        if args.json:
            payload = _evaluation_json(info, list(service.proposal_records(DEFAULT_ACTOR, info.id)))
            json.dump(payload, out, ensure_ascii=False, default=json_value)
            out.write("\n")
            return 0
    finally:
        db.dispose()
    counts = info.counts
    out.write(
        _("Evaluation {id}: {rule_set} version {version} as of {as_of}, {customers} customers.").format(
            id=str(info.id)[:8],
            rule_set=info.rule_set_name,
            version=info.rule_version,
            as_of=i18n.format_date(info.as_of),
            customers=info.customers,
        )
        + "\n"
        + _("Promotions {up}, demotions {down}, new {new}, unchanged {same}.").format(
            up=counts.get("up", 0),
            down=counts.get("down", 0),
            new=counts.get("new", 0),
            same=counts.get("same", 0),
        )
        + "\n"
        + _("Approve with: clientdesk tiers apply {id}").format(id=str(info.id)[:8])
        + "\n"
    )
    return 0


def cmd_apply(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = TierService(db)
        evaluation = service.evaluation(DEFAULT_ACTOR, args.evaluation)
        ids = None
        if args.only:
            ids = [customer_id_by_code(db, code) for code in args.only.split(",") if code.strip()]
        result = service.apply(DEFAULT_ACTOR, evaluation.id, ids)
    finally:
        db.dispose()
    out.write(_("{n} customers got their new tier.").format(n=result.applied) + "\n")
    if result.skipped:
        out.write(
            _("Left alone, their tier changed since the evaluation: {codes}").format(
                codes=", ".join(result.skipped)
            )
            + "\n"
        )
    return 0


def _tier_key(service: TierService, text: str) -> str:
    """A tier given by its key or its name in either language (VIP, 重要, important …)."""
    wanted = text.strip()
    rules = service.rule_set(DEFAULT_ACTOR).definition
    for tier in rules.tiers:
        names = {tier.key.lower(), tier.name.lower(), i18n.translate_to("en", tier.label).lower()}
        names.add(i18n.translate_to("zh_CN", tier.label).lower())
        if wanted.lower() in names:
            return tier.key
    return parse_choice("tier", wanted)


def cmd_override(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = TierService(db)
        customer_id = customer_id_by_code(db, args.code)
        tier = _tier_key(service, args.tier)
        service.override(DEFAULT_ACTOR, customer_id, tier, args.reason, args.until)
        name = tier_name(service.rule_set(DEFAULT_ACTOR).definition, tier)
    finally:
        db.dispose()
    out.write(_("{code} is now {tier}, set by hand.").format(code=args.code, tier=name) + "\n")
    return 0


def cmd_history(args, out: TextIO) -> int:
    db = open_db(args.db, create=False)
    try:
        service = TierService(db)
        rows = service.history(DEFAULT_ACTOR, customer_id_by_code(db, args.code))
        rules = service.rule_set(DEFAULT_ACTOR).definition
    finally:
        db.dispose()
    if args.json:
        write_json_array(
            (
                {
                    "at": r.at.isoformat(),
                    "from": r.from_tier,
                    "to": r.to_tier,
                    "by": r.by,
                    "kind": r.kind,
                    "rule_set": r.rule_set,
                    "rule_version": r.rule_version,
                    "reason": r.reason,
                }
                for r in rows
            ),
            out,
        )
        return 0
    for r in rows:
        version = f" v{r.rule_version}" if r.rule_version else ""
        out.write(
            f"{i18n.format_datetime(r.at)}  {tier_name(rules, r.from_tier)} → {tier_name(rules, r.to_tier)}  "
            f"{r.by}  "
            f"{r.rule_set}{version}  {r.reason}\n"
        )
    return 0


def cmd_report(args, out: TextIO) -> int:
    if not args.pdf and not args.xlsx:
        raise CliError(_("Say where the report goes: --pdf FILE, --xlsx FILE or both."))
    db = open_db(args.db, create=False)
    try:
        if args.xlsx:
            from app.services import exports

            summary = exports.export_tier_table(
                db, DEFAULT_ACTOR, args.xlsx, args.evaluation, args.manager, args.department
            )
            out.write(exports.describe(summary) + "\n")
        if args.pdf:
            from app.services import tier_report
            from app.views import tier_report_print

            report = tier_report.gather(db, DEFAULT_ACTOR, args.evaluation, args.manager, args.department)
            app = tier_report_print.ensure_application()
            pages = tier_report_print.write_pdf(report, Path(args.pdf))
            del app
            out.write(
                _("Tier report written to {file} ({pages} pages).").format(file=args.pdf, pages=pages) + "\n"
            )
    finally:
        db.dispose()
    return 0


def add_parsers(commands, db_option) -> None:
    tiers = commands.add_parser("tiers", parents=[db_option], help=_("tier rules, evaluation and history"))
    tier_commands = tiers.add_subparsers(dest="tiers_command", metavar="ACTION", required=True)

    rules = tier_commands.add_parser("rules", parents=[db_option], help=_("list or show tier rule sets"))
    rule_commands = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    listing = rule_commands.add_parser("list", parents=[db_option], help=_("list the rule sets (* in use)"))
    listing.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
    listing.set_defaults(func=cmd_rules_list)
    show = rule_commands.add_parser("show", parents=[db_option], help=_("show one rule set"))
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
    show.set_defaults(func=cmd_rules_show)

    evaluate = tier_commands.add_parser(
        "evaluate", parents=[db_option], help=_("score every active customer and propose tiers")
    )
    evaluate.add_argument("--rule-set", metavar="NAME", help=_("the rule set (default: the one in use)"))
    evaluate.add_argument(
        "--as-of",
        type=parse_date,
        metavar="DATE",
        help=_("the trailing 12 months end on this date (default: today)"),
    )
    evaluate.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
    evaluate.set_defaults(func=cmd_evaluate)

    apply = tier_commands.add_parser("apply", parents=[db_option], help=_("approve an evaluation's changes"))
    apply.add_argument("evaluation", metavar="EVALUATION", help=_("the evaluation id (or its start)"))
    apply.add_argument("--only", metavar="CODES", help=_("only these customers, e.g. C000001,C000002"))
    apply.set_defaults(func=cmd_apply)

    override = tier_commands.add_parser(
        "override", parents=[db_option], help=_("set a customer's tier by hand")
    )
    override.add_argument("code", metavar="CODE")
    override.add_argument("tier", metavar="TIER", help=_("the tier's key or name"))
    override.add_argument("--reason", required=True, metavar="TEXT", help=_("why (kept in the history)"))
    override.add_argument(
        "--until", type=parse_date, metavar="DATE", help=_("the rules take over again after this date")
    )
    override.set_defaults(func=cmd_override)

    history = tier_commands.add_parser("history", parents=[db_option], help=_("a customer's tier history"))
    history.add_argument("code", metavar="CODE")
    history.add_argument("--json", action="store_true", help=_("print JSON (UTF-8)"))
    history.set_defaults(func=cmd_history)

    report = commands.add_parser("report", parents=[db_option], help=_("printed reports"))
    report_commands = report.add_subparsers(dest="report_command", metavar="WHAT", required=True)
    tier_report = report_commands.add_parser(
        "tiers", parents=[db_option], help=_("the tier report as PDF and/or the .xlsx tier table")
    )
    tier_report.add_argument("--pdf", metavar="FILE", help=_("write the report as PDF (A4)"))
    tier_report.add_argument("--xlsx", metavar="FILE", help=_("write the tier table as .xlsx"))
    tier_report.add_argument("--manager", metavar="NAME", help=_("only customers of this account manager"))
    tier_report.add_argument("--department", metavar="NAME", help=_("only customers of this department"))
    tier_report.add_argument("--evaluation", metavar="ID", help=_("the evaluation (default: the latest)"))
    tier_report.set_defaults(func=cmd_report)
