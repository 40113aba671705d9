"""``ca``: the HQ certificate authority (HQ only): make the root CA, issue inspector
certificates."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.checks import check_output_folder
from inspector_app.cli.commands import command, group
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.keys import ask_passphrase
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    cag = group(subparsers, "ca", _("the HQ certificate authority (HQ only)"))
    c = command(cag, "init", cmd_ca_init, _("create the HQ root CA in the data folder"))
    c.add_argument("--name", help=_("the CA's name (common name)"))
    c.add_argument("--organisation", help=_("organisation named in the certificate"))
    c = command(cag, "issue", cmd_ca_issue, _("issue an inspector certificate (at most 2 years)"))
    c.add_argument("--name", required=True, help=_("the inspector's name"))
    c.add_argument(
        "--request",
        metavar="FILE",
        help=_(
            "the inspector's CSR, self-signed certificate or public key; "
            "without it a new encrypted key is made"
        ),
    )
    c.add_argument("--out", metavar="DIR", help=_("folder for the files (default: here)"))
    c.add_argument("--organisation", help=_("organisation named in the certificate"))


def cmd_ca_init(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.hq_ca import init_ca

    passphrase = ask_passphrase(_("New passphrase for the CA key: "), confirm=True)
    status = init_ca(ctx.ws, passphrase=passphrase, name=args.name, organisation=args.organisation)
    print(
        _(
            "CA {name} created, valid until {date}: {file}",
            name=status["subject_cn"],
            date=status["valid_until"],
            file=status["certificate_file"],
        )
    )
    print(_("Give this certificate to whoever verifies reports (verify --trust)."))
    return ExitCode.OK


def cmd_ca_issue(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.hq_ca import issue_certificate
    from inspector_app.services.identities import NEW_PASSPHRASE_ENV

    if args.out:  # a bundle folder: made if missing
        check_output_folder(Path(args.out), may_create=True)
    passphrase = ask_passphrase(_("Passphrase of the CA key: "))
    new_key_passphrase = None
    if args.request is None:
        new_key_passphrase = ask_passphrase(
            _("New passphrase for the inspector's key: "), env=NEW_PASSPHRASE_ENV, confirm=True
        )
    issued = issue_certificate(
        ctx.ws,
        name=args.name,
        passphrase=passphrase,
        out_dir=Path(args.out) if args.out else None,
        request=Path(args.request) if args.request else None,
        new_key_passphrase=new_key_passphrase,
        organisation=args.organisation,
    )
    print(
        _(
            "Certificate for {name} issued (serial {serial}), valid until {date}: {file}",
            name=issued.name,
            serial=issued.serial,
            date=issued.not_after.date().isoformat(),
            file=issued.certificate_file,
        )
    )
    if issued.key_file is not None:
        print(_("Encrypted key for the inspector: {file}", file=issued.key_file))
        print(
            _(
                "On the laptop: inspector-app keys import-cert {cert} --key {key}",
                cert=issued.certificate_file.name,
                key=issued.key_file.name,
            )
        )
    else:
        print(
            _(
                "On the laptop: inspector-app keys import-cert {cert}",
                cert=issued.certificate_file.name,
            )
        )
    return ExitCode.OK
