"""``doctor``: check the installation and the data folder (exit 1 when something is wrong)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from inspector_app.cli.commands import command
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import print_json
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    c = command(subparsers, "doctor", cmd_doctor, _("check the installation and the data folder"))
    c.add_argument("--json", action="store_true")


def cmd_doctor(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.doctor import run_doctor

    report = run_doctor(ctx.data_dir)
    if args.json:
        print_json(report)
    else:
        for key, value in report.items():
            shown = (
                json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
            )
            print(f"{key}: {shown}")
    return ExitCode.OK if report.get("ok") else ExitCode.REFUSED
