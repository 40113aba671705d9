"""``audit``: the audit log (check its hash chain)."""

from __future__ import annotations

import argparse
from typing import Any

from inspector_app.cli.commands import command, group
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import warn
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    aud = group(subparsers, "audit", _("the audit log"))
    command(aud, "verify", cmd_audit_verify, _("check the audit log's hash chain"))


def cmd_audit_verify(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.chain import chain_status

    check = chain_status(ctx.ws)
    if check.ok:
        print(
            _("audit log intact: {n} entries, head {head}", n=check.entries, head=check.head[:16])
        )
        return ExitCode.OK
    warn(
        _(
            "audit log broken at entry {seq}: {problem}",
            seq=check.first_bad_seq,
            problem=check.problem,
        )
    )
    return ExitCode.REFUSED
