"""``inspections``: list, show, start, answer, mark not applicable, comment, complete, amend."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from inspector_app.cli.checks import safe
from inspector_app.cli.commands import command, group, iso_date
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import print_json, print_table
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    ins = group(subparsers, "inspections", _("inspections"))
    c = command(ins, "list", cmd_inspections_list, _("list inspections"))
    c.add_argument("--json", action="store_true")
    c.add_argument("--status", choices=("draft", "completed", "signed", "exported"))
    c.add_argument("--type", choices=("pilot_base", "tech_transfer", "platform"))
    c.add_argument("--year", type=int)
    c.add_argument("--search")
    c = command(ins, "show", cmd_inspections_show, _("show one inspection with section scores"))
    c.add_argument("id", metavar="ID")
    c.add_argument("--json", action="store_true")
    c = command(ins, "start", cmd_inspections_start, _("start an inspection of a site"))
    c.add_argument("--site", required=True, help=_("site code or id"))
    c.add_argument("--template", required=True, help=_("template id, id@version or version id"))
    c.add_argument("--inspector", action="append", help=_("inspector name (repeatable)"))
    c.add_argument("--date", type=iso_date)
    c = command(ins, "answer", cmd_inspections_answer, _("answer an item"))
    c.add_argument("id", metavar="ID")
    c.add_argument("item", metavar="ITEM")
    c.add_argument("value", metavar="VALUE")
    c.add_argument("--comment")
    c = command(ins, "na", cmd_inspections_na, _("mark an item not applicable"))
    c.add_argument("id", metavar="ID")
    c.add_argument("item", metavar="ITEM")
    c = command(ins, "comment", cmd_inspections_comment, _("comment on an item"))
    c.add_argument("id", metavar="ID")
    c.add_argument("item", metavar="ITEM")
    c.add_argument("text", metavar="TEXT")
    c = command(
        ins, "complete", cmd_inspections_complete, _("complete: check and freeze the score")
    )
    c.add_argument("id", metavar="ID")
    c = command(ins, "amend", cmd_inspections_amend, _("amend a completed inspection"))
    c.add_argument("id", metavar="ID")
    c.add_argument("--reason", required=True)


def cmd_inspections_list(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.browse import grade_text, list_inspections, status_label

    rows = list_inspections(
        ctx.ws, status=args.status, site_type=args.type, year=args.year, search=args.search
    )
    if args.json:
        print_json(rows)
        return ExitCode.OK
    print_table(
        [_("ID"), _("Site"), _("Template"), _("Date"), _("Status"), _("Score"), _("Grade")],
        [
            (
                r["id"][:8],
                r["site"],
                r["template_title"],
                r["started_on"],
                status_label(r["status"]),
                f"{r['score']:.2f}",
                grade_text(r["grade_label"], r["provisional"], r["vetoed"]),
            )
            for r in rows
        ],
    )
    print(
        _(
            "{n} inspections; provisional: required answers are missing; ⚠: a veto item "
            "was triggered",
            n=len(rows),
        )
    )
    return ExitCode.OK


def cmd_inspections_show(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.browse import (
        finding_status_label,
        grade_text,
        severity_label,
        status_label,
    )
    from inspector_app.services.inspection_views import inspection_detail, load_inspection_state
    from inspector_app.services.inspections import describe_missing, item_title

    d = inspection_detail(ctx.ws, args.id)
    if args.json:
        from inspector_app.services.photos import list_photos, photo_dict

        d["photos"] = [photo_dict(p) for p in list_photos(ctx.ws, d["id"])]
        print_json(d)
        return ExitCode.OK
    print(
        f"{safe(d['site'])} ({safe(d['site_code'])})  —  "
        f"{d['template_title']} {d['template_version']}"
    )
    print(
        _(
            "Inspection {id}, revision {rev}, {status}",
            id=d["id"],
            rev=d["revision"],
            status=status_label(d["status"]),
        )
    )
    print(
        _(
            "Inspectors: {names}; date: {date}",
            names="、".join(safe(n) for n in d["inspectors"]),
            date=d["started_on"],
        )
    )
    template = load_inspection_state(ctx.ws, d["id"]).template
    weights = _(" (sample weights)") if d["sample_weights"] else ""
    print(
        _(
            "Score: {score:.2f} / {max:g}{weights}; grade: {grade}",
            score=d["score"],
            max=d["max_score"],
            weights=weights,
            grade=grade_text(d["grade_label"], d["provisional"]),
        )
    )
    for v in d["veto_reasons"]:
        print(_("VETO {title}: {reason}", title=v["title"], reason=v["reason"]))
    print()
    print_table(
        [_("Section"), _("Points"), _("Max"), _("Percent"), _("Answered")],
        [
            (
                s["title"],
                f"{s['points']:.2f}",
                f"{s['max_points']:g}",
                f"{s['percent']:.1f}%" if s["applicable"] else _("n/a"),
                f"{s['answered']}/{s['items_total']}",
            )
            for s in d["sections"]
        ],
    )
    if d["findings"]:
        print()
        print_table(
            [
                _("Severity"),
                _("Item"),
                _("Finding"),
                _("Deadline"),
                _("Responsible"),
                _("Status"),
            ],
            [
                (
                    severity_label(f["severity"]),
                    item_title(template, f["item"]) or _("(whole inspection)"),
                    f["description"],
                    f["deadline"],
                    f["responsible"],
                    finding_status_label(f["status"]),
                )
                for f in d["findings"]
            ],
        )
    if d["missing_required"]:
        print()
        missing = describe_missing(template, d["missing_required"])
        print(_("Missing required answers: {items}", items=_("; ").join(missing)))
    return ExitCode.OK


def _json_value(raw: str) -> Any:
    """An answer as typed; a JSON string ("...") is unquoted. A number stays the text it was
    typed as: the services read it exactly (1e400 is "too large", not infinity)."""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw


def cmd_inspections_start(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.inspections import start_inspection
    from inspector_app.services.sites import find_site
    from inspector_app.services.templates import find_template_version

    ws = ctx.with_templates()
    site = find_site(ws, args.site)
    tv = find_template_version(ws, args.template)
    insp = start_inspection(
        ws,
        site_id=site.id,
        template_version_id=tv.id,
        inspectors=args.inspector or [ctx.actor],
        started_on=args.date or dt.date.today(),
        actor=ctx.actor,
    )
    print(insp.id)
    return ExitCode.OK


def _grade_label(ctx: Context, inspection_id: str, grade: str) -> str:
    from inspector_app.services.inspection_views import load_inspection_state
    from inspector_app.services.inspections import grade_label

    return grade_label(load_inspection_state(ctx.ws, inspection_id).template, grade)


def _print_score(ctx: Context, inspection_id: str, result: Any) -> None:
    from inspector_app.services.browse import grade_text

    label = _grade_label(ctx, inspection_id, result.grade)
    print(
        _(
            "score {score:.2f}, grade {grade}",
            score=result.total,
            grade=grade_text(label, result.provisional),
        )
    )


def cmd_inspections_answer(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.answers import answer_item, comment_item

    res = answer_item(ctx.ws, args.id, args.item, _json_value(args.value), actor=ctx.actor)
    if args.comment is not None:
        res = comment_item(ctx.ws, args.id, args.item, args.comment, actor=ctx.actor)
    _print_score(ctx, args.id, res.score)
    return ExitCode.OK


def cmd_inspections_na(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.answers import mark_not_applicable

    _print_score(
        ctx, args.id, mark_not_applicable(ctx.ws, args.id, args.item, actor=ctx.actor).score
    )
    return ExitCode.OK


def cmd_inspections_comment(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.answers import comment_item

    comment_item(ctx.ws, args.id, args.item, args.text, actor=ctx.actor)
    return ExitCode.OK


def cmd_inspections_complete(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.inspections import complete_inspection

    snap = complete_inspection(ctx.ws, args.id, actor=ctx.actor)
    score = json.loads(snap.score_json)
    print(
        _(
            "completed revision {rev}: score {score:.2f}, grade {grade}; data hash {hash}",
            rev=snap.revision,
            score=score["total"],
            grade=_grade_label(ctx, args.id, score["grade"]),
            hash=snap.data_hash,
        )
    )
    return ExitCode.OK


def cmd_inspections_amend(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.inspections import amend_inspection

    insp = amend_inspection(ctx.ws, args.id, reason=args.reason, actor=ctx.actor)
    print(_("inspection {id} reopened as revision {rev}", id=insp.id, rev=insp.revision))
    return ExitCode.OK
