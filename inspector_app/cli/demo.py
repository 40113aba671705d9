"""``demo``: the sample sites and inspections (示例), loaded into the data folder."""

from __future__ import annotations

import argparse
from typing import Any

from inspector_app.cli.commands import command
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    command(
        subparsers,
        "demo",
        cmd_demo,
        _("load sample sites and inspections (示例) into the data folder"),
    )


def cmd_demo(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.demo import load_demo

    report = load_demo(ctx.with_templates(), actor="demo")
    if report.created_inspections or report.created_sites:
        print(
            _(
                "Sample data loaded into {dir}: {sites} sites, {n} inspections.",
                dir=ctx.data_dir,
                sites=report.created_sites,
                n=report.created_inspections,
            )
        )
    else:
        print(_("Sample data is already in {dir}; nothing changed.", dir=ctx.data_dir))
    return ExitCode.OK
