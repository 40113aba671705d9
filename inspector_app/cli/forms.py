"""``forms``: the checklist templates (validate files, list those in the data folder)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.commands import command, group
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import print_json, print_table, warn
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    forms = group(subparsers, "forms", _("checklist templates"))
    c = command(forms, "validate", cmd_forms_validate, _("validate template files"))
    c.add_argument("paths", nargs="+", metavar="PATH")
    c = command(forms, "list", cmd_forms_list, _("list the templates in the data folder"))
    c.add_argument("--json", action="store_true")


def cmd_forms_validate(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.domain.checklists.loader import validate_files

    files = [Path(p) for p in args.paths]
    loaded, issues = validate_files(files)
    for issue in issues:
        warn(issue)
    for lt in loaded:
        t = lt.template
        print(
            _(
                "{file}: OK ({id} {version}, {n} items, {v} veto items)",
                file=lt.path,
                id=t.id,
                version=t.version,
                n=len(t.items()),
                v=len(t.vetoes),
            )
        )
    return ExitCode.REFUSED if issues else ExitCode.OK


def cmd_forms_list(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.templates import list_templates, sync_forms

    result = sync_forms(ctx.ws)
    for issue in result.issues:
        warn(issue)
    rows = list_templates(ctx.ws)
    if args.json:
        print_json(
            [
                {
                    "id": r.template_id,
                    "version": r.version,
                    "title_zh": r.title_zh,
                    "title_en": r.title_en,
                    "site_type": r.site_type,
                    "sample_weights": r.sample_weights,
                    "content_hash": r.content_hash,
                    "version_id": r.id,
                }
                for r in rows
            ]
        )
    else:
        from inspector_app.i18n import pick

        print_table(
            [_("Template"), _("Version"), _("Title"), _("Weights"), _("Hash")],
            [
                (
                    r.template_id,
                    r.version,
                    pick({"zh": r.title_zh, "en": r.title_en}),
                    _("sample weights") if r.sample_weights else _("sourced"),
                    r.content_hash[:12],
                )
                for r in rows
            ],
        )
    return ExitCode.OK
