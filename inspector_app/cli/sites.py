"""``sites``: the site registry (import a .csv or .xlsx list, list the sites)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.checks import safe
from inspector_app.cli.commands import command, group
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import print_json, print_table
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    sites = group(subparsers, "sites", _("the site registry"))
    c = command(sites, "import", cmd_sites_import, _("import sites from a .csv or .xlsx file"))
    c.add_argument("file", metavar="FILE")
    c = command(sites, "list", cmd_sites_list, _("list sites"))
    c.add_argument("--json", action="store_true")
    c.add_argument("--type", choices=("pilot_base", "tech_transfer", "platform"))


def cmd_sites_import(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.sites import import_sites

    res = import_sites(ctx.ws, Path(args.file), actor=ctx.actor)
    print(
        _(
            "{file}: {added} added, {updated} updated, {unchanged} unchanged",
            file=safe(args.file),
            added=res.added,
            updated=res.updated,
            unchanged=res.unchanged,
        )
    )
    return ExitCode.OK


def cmd_sites_list(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.sites import list_sites, site_dict, site_type_label

    sites = list_sites(ctx.ws, args.type)
    if args.json:
        print_json([site_dict(s) for s in sites])
    else:
        print_table(
            [_("Code"), _("Name"), _("Type"), _("District"), _("Host unit")],
            [
                (s.code, s.name, site_type_label(s.site_type), s.district, s.host_unit)
                for s in sites
            ],
        )
    return ExitCode.OK
