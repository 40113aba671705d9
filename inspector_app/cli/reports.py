"""``report`` writes the PDF report of an inspection, signed (PAdES) with ``--sign``;
``verify`` checks the signature of such a PDF, offline."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.checks import check_output_file, safe
from inspector_app.cli.commands import command
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.keys import ask_passphrase
from inspector_app.cli.output import print_json, problem
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    c = command(subparsers, "report", cmd_report, _("write the PDF report of an inspection"))
    c.add_argument("id", metavar="ID")
    c.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    c.add_argument("--sign", action="store_true", help=_("sign it (PAdES) with your key"))
    c.add_argument(
        "--signer",
        metavar="NAME",
        help=_(
            "with --sign: the inspector who signs (one listed on the inspection; default: the "
            "first listed inspector with a key here)"
        ),
    )
    c.add_argument(
        "--lang", dest="report_lang", choices=("zh", "en"), help=_("language of the report")
    )

    c = command(
        subparsers, "verify", cmd_verify, _("verify the signature of a PDF report, offline")
    )
    c.add_argument("file", metavar="FILE.pdf")
    c.add_argument(
        "--trust",
        action="append",
        metavar="CA.pem",
        help=_("a CA certificate to trust (repeatable)"),
    )
    c.add_argument("--json", action="store_true")


def cmd_report(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.i18n import current_language

    lang = args.report_lang or current_language()
    output = Path(args.output)
    check_output_file(output)  # before the report is built (and before a passphrase is asked)
    if not args.sign:
        from inspector_app.services.reports import build_report

        result = build_report(ctx.with_templates(), args.id, output, lang=lang)
        print(_("Report written: {file}", file=safe(result.path)))
        return ExitCode.OK
    from inspector_app.services.identities import identity_names
    from inspector_app.services.report_signing import choose_signer, sign_report, signer_choice

    # who signs, before asking for a passphrase: a listed inspector, or a refusal
    choice = signer_choice(ctx.ws, args.id)
    name = choose_signer(choice, args.signer, ctx.actor)
    if name not in identity_names(ctx.ws):  # a self-signed identity is made on first use
        passphrase = ask_passphrase(
            _("New passphrase for the signing key of {name}: ", name=name), confirm=True
        )
    else:
        passphrase = ask_passphrase(_("Passphrase of the signing key of {name}: ", name=name))
    signed = sign_report(
        ctx.with_templates(),
        args.id,
        output,
        passphrase=passphrase,
        lang=lang,
        actor=ctx.actor,
        signer=name,
    )
    if signed.identity_created:
        print(_("A self-signed signing identity was made for {name}.", name=signed.signer))
    print(
        _(
            "Signed report written: {file} (revision {rev}, signer {name}, SHA-256 {sha})",
            file=safe(signed.path),
            rev=signed.revision,
            name=safe(signed.signer),
            sha=signed.sha256,
        )
    )
    if signed.self_signed:
        print(_("The certificate is self-signed: readers will show the signature as untrusted."))
    return ExitCode.OK


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def cmd_verify(ctx: Context, args: argparse.Namespace) -> ExitCode:
    """Exit 0 only when the signature is accepted: intact, valid, trusted if --trust was
    given, covering the whole file."""
    from inspector_app import timefmt
    from inspector_app.services.verification import verify

    trust = [Path(t) for t in args.trust or []]
    result = verify(Path(args.file), trust or None)
    if args.json:
        print_json(result.to_dict())
        return ExitCode.OK if result.accepted else ExitCode.REFUSED
    print(_("File: {file}", file=safe(result.path)))
    if result.signatures == 0:
        for message in result.problems:
            problem(message)
        print(_("Result: REJECTED"))
        return ExitCode.REFUSED
    if result.signer:
        print(
            _(
                "Signer: {name} (certificate issued by {issuer})",
                name=safe(result.signer),
                issuer=safe(result.signer_issuer),
            )
        )
    print(_("Intact (unchanged since signing): {value}", value=_yes_no(result.intact)))
    print(_("Valid (signature matches the certificate): {value}", value=_yes_no(result.valid)))
    if trust:
        print(_("Trusted (chains to a given CA): {value}", value=_yes_no(result.trusted)))
    else:
        print(_("Trusted: not checked (no --trust given)"))
    if result.claimed_signing_time:
        print(
            _(
                "Signing time (claimed by the signer's clock): {time}",
                time=f"{timefmt.format_instant(result.claimed_signing_time, seconds=True)} "
                f"{timefmt.zone_label(result.claimed_signing_time)}",
            )
        )
    coverage = _("entire file") if result.whole_file else _("NOT the entire file")
    print(_("Coverage: {value}", value=coverage))
    if result.subfilter:
        print(
            _(
                "Format: {subfilter}, {digest}",
                subfilter=result.subfilter,
                digest=result.md_algorithm,
            )
        )
    for message in result.problems:
        problem(message)
    print(_("Result: accepted") if result.accepted else _("Result: REJECTED"))
    return ExitCode.OK if result.accepted else ExitCode.REFUSED
