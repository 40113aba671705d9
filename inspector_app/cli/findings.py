"""``findings``: findings and corrective actions (问题与整改) on an inspection."""

from __future__ import annotations

import argparse
from typing import Any

from inspector_app.cli.commands import command, group, iso_date
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    fnd = group(subparsers, "findings", _("findings and corrective actions (问题与整改)"))
    c = command(fnd, "add", cmd_findings_add, _("add a finding to an inspection"))
    c.add_argument("id", metavar="INSPECTION_ID")
    c.add_argument("--description", required=True)
    c.add_argument("--severity", default="minor", choices=("minor", "major", "critical"))
    c.add_argument("--item")
    c.add_argument("--requirement")
    c.add_argument("--deadline", type=iso_date)
    c.add_argument("--responsible")


def cmd_findings_add(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.findings import add_finding

    f = add_finding(
        ctx.ws,
        args.id,
        description=args.description,
        severity=args.severity,
        item_id=args.item,
        requirement=args.requirement or "",
        deadline=args.deadline,
        responsible=args.responsible or "",
        actor=ctx.actor,
    )
    print(f.id)
    return ExitCode.OK
