"""``keys``: this laptop's signing key and certificate (make one, show it, install HQ's
certificate); and the passphrase prompt every signing command uses."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from inspector_app.cli.checks import safe
from inspector_app.cli.commands import command, group
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import print_json, problem, warn
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    kg = group(subparsers, "keys", _("this laptop's signing key and certificate"))
    c = command(kg, "init", cmd_keys_init, _("make your signing key (self-signed until HQ issues)"))
    c.add_argument("--name", help=_("your name as it appears in signatures"))
    c.add_argument("--organisation", help=_("organisation named in the certificate"))
    c.add_argument("--force", action="store_true", help=_("replace an existing key"))
    c = command(kg, "show", cmd_keys_show, _("show your signing identity"))
    c.add_argument("--json", action="store_true")
    c = command(kg, "import-cert", cmd_keys_import_cert, _("install a certificate from HQ"))
    c.add_argument("file", metavar="FILE")
    c.add_argument("--key", metavar="KEYFILE", help=_("the encrypted key file that came with it"))


def ask_passphrase(prompt: str, *, env: str | None = None, confirm: bool = False) -> str:
    """INSPECTOR_PASSPHRASE (or ``env``) when set, else a prompt on the terminal."""
    import getpass
    import os

    from inspector_app.services.errors import InvalidInput
    from inspector_app.services.identities import PASSPHRASE_ENV

    env = env or PASSPHRASE_ENV
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise InvalidInput(_("no passphrase: set {env} or run the command in a terminal", env=env))
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Repeat the passphrase: ")) != first:
        raise InvalidInput(_("the passphrases do not match"))
    return first


def print_identity(status: dict[str, Any]) -> None:
    kind = _("self-signed") if status.get("self_signed") else _("issued by HQ")
    print(_("Signer: {name} ({kind})", name=safe(status.get("subject_cn")), kind=kind))
    print(_("Issuer: {name}", name=safe(status.get("issuer_cn"))))
    print(_("Valid until: {date}", date=status.get("valid_until")))
    print(_("Key file: {file} (encrypted, {kdf})", file=status["key_file"], kdf=status.get("kdf")))
    print(_("Certificate: {file}", file=status["certificate_file"]))
    for message in status.get("problems", []):
        problem(message)


def cmd_keys_init(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.identities import init_identity

    passphrase = ask_passphrase(_("New passphrase for your signing key: "), confirm=True)
    status = init_identity(
        ctx.ws,
        passphrase=passphrase,
        name=args.name,
        organisation=args.organisation,
        replace=args.force,
    )
    print_identity(status)
    print(
        _(
            "Signatures made with a self-signed certificate verify as untrusted until HQ issues "
            "a certificate: hand {file} to HQ (ca issue --request).",
            file=status["certificate_file"],
        )
    )
    return ExitCode.OK


def cmd_keys_show(ctx: Context, args: argparse.Namespace) -> ExitCode:
    """Exit 1 when there is no identity, or one has a problem."""
    from inspector_app.services.identities import identities_status

    people = identities_status(ctx.ws)
    if args.json:
        print_json(people)
        return ExitCode.OK if people else ExitCode.REFUSED
    if not people:
        warn(_("No signing key yet; run `inspector-app keys init`."))
        return ExitCode.REFUSED
    for n, status in enumerate(people):
        if n:
            print()
        print_identity(status)
    return ExitCode.REFUSED if any(st.get("problems") for st in people) else ExitCode.OK


def cmd_keys_import_cert(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.identities import import_certificate

    status = import_certificate(
        ctx.ws, Path(args.file), key_file=Path(args.key) if args.key else None
    )
    print_identity(status)
    return ExitCode.OK
