"""The command line: the same services as the GUI, headless.

``inspector-app [--data-dir DIR] COMMAND``; with no command the desktop starts.
Exit codes: 0 done, 1 refused (bad input, with a message naming what and where),
2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inspector_app import __version__, paths
from inspector_app.cli_checks import (
    OutputRefused,
    SafeStream,
    check_data_dir,
    check_output_file,
    check_output_folder,
    chosen_parser,
    json_safe,
    safe,
    text_argument_problem,
)
from inspector_app.cli_text import early_language, translate_argparse
from inspector_app.i18n import _


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[safe(c) for c in row] for row in rows]  # data: control characters escaped
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip())


def print_json(data: Any) -> None:
    """Indented JSON; a long list gets one compact row per line (the C encoder: fast).
    Chinese stays readable; control, format and bidi characters are \\u escapes (json_safe)."""
    if isinstance(data, list) and len(data) > 50:
        body = ",\n".join(json.dumps(row, ensure_ascii=False) for row in data)
        print(json_safe(f"[\n{body}\n]"))
    else:
        print(json_safe(json.dumps(data, ensure_ascii=False, indent=2)))


DROPPED_SHOWN = 5  # typed texts a start could not save, named one by one


class Context:
    """What a command needs: the data folder, opened on first use."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._db = None
        from inspector_app.settings import default_actor

        self.actor = default_actor()

    @property
    def db(self):  # type: ignore[no-untyped-def]
        if self._db is None:
            from inspector_app.services.drafts import recover_drafts
            from inspector_app.store.db import open_database

            self._db = open_database(self.data_dir)
            recovery = recover_drafts(self._db)  # text typed in a desktop that died: never lost
            for draft, why in recovery.dropped[:DROPPED_SHOWN]:  # unless it cannot be saved
                print(
                    _(
                        "warning: what was typed for item {item} of inspection {id} was not "
                        "saved: {reason}",
                        item=safe(draft.item_id),
                        id=safe(draft.inspection_id[:8]),
                        reason=why,
                    ),
                    file=sys.stderr,
                )
            if len(recovery.dropped) > DROPPED_SHOWN:
                print(
                    _(
                        "warning: {n} more typed texts were not saved",
                        n=len(recovery.dropped) - DROPPED_SHOWN,
                    ),
                    file=sys.stderr,
                )
        return self._db

    def with_templates(self):  # type: ignore[no-untyped-def]
        from inspector_app.services.startup import ensure_templates

        for issue in ensure_templates(self.db):
            print(issue, file=sys.stderr)
        return self.db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


# -- commands -----------------------------------------------------------------------------


def cmd_forms_validate(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.domain.checklists.loader import validate_files

    files = [Path(p) for p in args.paths]
    loaded, issues = validate_files(files)
    for issue in issues:
        print(issue, file=sys.stderr)
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
    return 1 if issues else 0


def cmd_forms_list(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.templates import list_templates, sync_forms

    result = sync_forms(ctx.db)
    for issue in result.issues:
        print(issue, file=sys.stderr)
    rows = list_templates(ctx.db)
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
    return 0


def cmd_sites_import(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.sites import import_sites

    res = import_sites(ctx.db, Path(args.file), actor=ctx.actor)
    print(
        _(
            "{file}: {added} added, {updated} updated, {unchanged} unchanged",
            file=safe(args.file),
            added=res.added,
            updated=res.updated,
            unchanged=res.unchanged,
        )
    )
    return 0


def cmd_sites_list(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.sites import list_sites, site_dict, site_type_label

    sites = list_sites(ctx.db, args.type)
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
    return 0


def cmd_demo(ctx: Context, args: argparse.Namespace) -> int:
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
    return 0


def cmd_inspections_list(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.browse import grade_text, list_inspections, status_label

    rows = list_inspections(
        ctx.db, status=args.status, site_type=args.type, year=args.year, search=args.search
    )
    if args.json:
        print_json(rows)
        return 0
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
    return 0


def cmd_inspections_show(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.browse import finding_status_label, grade_text, severity_label
    from inspector_app.services.inspections import (
        describe_missing,
        inspection_detail,
        item_title,
        load_inspection_state,
        status_label,
    )

    d = inspection_detail(ctx.db, args.id)
    if args.json:
        # -- photos (evidence on site) --
        from inspector_app.services.photos import list_photos, photo_dict

        d["photos"] = [photo_dict(p) for p in list_photos(ctx.db, d["id"])]
        # -- end photos --
        print_json(d)
        return 0
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
    template = load_inspection_state(ctx.db, d["id"]).template
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
    return 0


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("expected a date as YYYY-MM-DD, got {value!r}", value=value)
        ) from None


def _json_value(raw: str) -> Any:
    """An answer as typed; a JSON string ("...") is unquoted. A number stays the text it was
    typed as: the services read it exactly (1e400 is "too large", not infinity)."""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw


def cmd_inspections_start(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.inspections import start_inspection
    from inspector_app.services.sites import find_site
    from inspector_app.services.templates import find_template_version

    db = ctx.with_templates()
    site = find_site(db, args.site)
    tv = find_template_version(db, args.template)
    insp = start_inspection(
        db,
        site_id=site.id,
        template_version_id=tv.id,
        inspectors=args.inspector or [ctx.actor],
        started_on=args.date or dt.date.today(),
        actor=ctx.actor,
    )
    print(insp.id)
    return 0


def _grade_label(ctx: Context, inspection_id: str, grade: str) -> str:
    from inspector_app.services.inspections import grade_label, load_inspection_state

    return grade_label(load_inspection_state(ctx.db, inspection_id).template, grade)


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


def cmd_inspections_answer(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.inspections import answer_item, comment_item

    res = answer_item(ctx.db, args.id, args.item, _json_value(args.value), actor=ctx.actor)
    if args.comment is not None:
        res = comment_item(ctx.db, args.id, args.item, args.comment, actor=ctx.actor)
    _print_score(ctx, args.id, res.score)
    return 0


def cmd_inspections_na(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.inspections import mark_not_applicable

    _print_score(
        ctx, args.id, mark_not_applicable(ctx.db, args.id, args.item, actor=ctx.actor).score
    )
    return 0


def cmd_inspections_comment(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.inspections import comment_item

    comment_item(ctx.db, args.id, args.item, args.text, actor=ctx.actor)
    return 0


def cmd_inspections_complete(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.inspections import complete_inspection

    snap = complete_inspection(ctx.db, args.id, actor=ctx.actor)
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
    return 0


def cmd_inspections_amend(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.inspections import amend_inspection

    insp = amend_inspection(ctx.db, args.id, reason=args.reason, actor=ctx.actor)
    print(_("inspection {id} reopened as revision {rev}", id=insp.id, rev=insp.revision))
    return 0


def cmd_findings_add(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.inspections import add_finding

    f = add_finding(
        ctx.db,
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
    return 0


# -- photos (evidence on site) ------------------------------------------------------------


def cmd_photos_add(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.photos import add_photos

    report = add_photos(
        ctx.db,
        ctx.data_dir,
        args.id,
        [Path(p) for p in args.paths],
        actor=ctx.actor,
        item_id=args.item,
        caption=args.caption,
    )
    for p in report.added:
        print(f"{p.id[:8]}  {p.sha256[:12]}  {safe(p.original_name)}")
    for path in report.duplicates:
        print(
            _("{file}: already in this inspection, not added again", file=safe(path)),
            file=sys.stderr,
        )
    for path, reason in report.refused:
        print(f"{safe(path)}: {reason}", file=sys.stderr)
    return 1 if report.refused else 0


def cmd_photos_list(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.photos import list_photos, photo_dict, taken_text

    photos = list_photos(ctx.db, args.id)
    if args.json:
        print_json([photo_dict(p) for p in photos])
        return 0
    from inspector_app.services.inspections import item_title, load_inspection_state

    template = load_inspection_state(ctx.db, args.id).template
    print_table(
        [_("ID"), _("File"), _("Item"), _("Taken"), _("Camera"), _("Pixels"), _("Caption")],
        [
            (
                p.id[:8],
                p.original_name,
                item_title(template, p.item_id),
                taken_text(p) or None,
                p.camera,
                f"{p.width}x{p.height}",
                p.caption,
            )
            for p in photos
        ],
    )
    return 0


# -- end photos ---------------------------------------------------------------------------


# -- signing ------------------------------------------------------------------------------


def _passphrase(prompt: str, *, env: str | None = None, confirm: bool = False) -> str:
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


def _print_identity(status: dict[str, Any]) -> None:
    kind = _("self-signed") if status.get("self_signed") else _("issued by HQ")
    print(_("Signer: {name} ({kind})", name=safe(status.get("subject_cn")), kind=kind))
    print(_("Issuer: {name}", name=safe(status.get("issuer_cn"))))
    print(_("Valid until: {date}", date=status.get("valid_until")))
    print(_("Key file: {file} (encrypted, {kdf})", file=status["key_file"], kdf=status.get("kdf")))
    print(_("Certificate: {file}", file=status["certificate_file"]))
    for problem in status.get("problems", []):
        print(_("problem: {message}", message=problem), file=sys.stderr)


def cmd_ca_init(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.hq_ca import init_ca

    passphrase = _passphrase(_("New passphrase for the CA key: "), confirm=True)
    status = init_ca(
        ctx.data_dir, passphrase=passphrase, name=args.name, organisation=args.organisation
    )
    print(
        _(
            "CA {name} created, valid until {date}: {file}",
            name=status["subject_cn"],
            date=status["valid_until"],
            file=status["certificate_file"],
        )
    )
    print(_("Give this certificate to whoever verifies reports (verify --trust)."))
    return 0


def cmd_ca_issue(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.hq_ca import issue_certificate
    from inspector_app.services.identities import NEW_PASSPHRASE_ENV

    if args.out:  # a bundle folder: made if missing
        check_output_folder(Path(args.out), may_create=True)
    passphrase = _passphrase(_("Passphrase of the CA key: "))
    new_key_passphrase = None
    if args.request is None:
        new_key_passphrase = _passphrase(
            _("New passphrase for the inspector's key: "), env=NEW_PASSPHRASE_ENV, confirm=True
        )
    issued = issue_certificate(
        ctx.data_dir,
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
    return 0


def cmd_keys_init(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.identities import init_identity

    passphrase = _passphrase(_("New passphrase for your signing key: "), confirm=True)
    status = init_identity(
        ctx.data_dir,
        passphrase=passphrase,
        name=args.name,
        organisation=args.organisation,
        replace=args.force,
    )
    _print_identity(status)
    print(
        _(
            "Signatures made with a self-signed certificate verify as untrusted until HQ issues "
            "a certificate: hand {file} to HQ (ca issue --request).",
            file=status["certificate_file"],
        )
    )
    return 0


def cmd_keys_show(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.identities import identities_status

    people = identities_status(ctx.data_dir)
    if args.json:
        print_json(people)
        return 0 if people else 1
    if not people:
        print(_("No signing key yet; run `inspector-app keys init`."), file=sys.stderr)
        return 1
    for n, status in enumerate(people):
        if n:
            print()
        _print_identity(status)
    return 1 if any(st.get("problems") for st in people) else 0


def cmd_keys_import_cert(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.identities import import_certificate

    status = import_certificate(
        ctx.data_dir, Path(args.file), key_file=Path(args.key) if args.key else None
    )
    _print_identity(status)
    return 0


def cmd_report(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.i18n import current_language

    lang = args.report_lang or current_language()
    output = Path(args.output)
    check_output_file(output)  # before the report is built (and before a passphrase is asked)
    if not args.sign:
        from inspector_app.services.reports import build_report

        result = build_report(ctx.with_templates(), args.id, output, lang=lang)
        print(_("Report written: {file}", file=safe(result.path)))
        return 0
    from inspector_app.services.identities import identity_names
    from inspector_app.services.report_signing import choose_signer, sign_report, signer_choice

    # who signs, before asking for a passphrase: a listed inspector, or a refusal
    choice = signer_choice(ctx.db, ctx.data_dir, args.id)
    name = choose_signer(choice, args.signer, ctx.actor)
    if name not in identity_names(ctx.data_dir):  # a self-signed identity is made on first use
        passphrase = _passphrase(
            _("New passphrase for the signing key of {name}: ", name=name), confirm=True
        )
    else:
        passphrase = _passphrase(_("Passphrase of the signing key of {name}: ", name=name))
    signed = sign_report(
        ctx.with_templates(),
        ctx.data_dir,
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
    return 0


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app import timefmt
    from inspector_app.services.verification import verify

    trust = [Path(t) for t in args.trust or []]
    result = verify(Path(args.file), trust or None)
    if args.json:
        print_json(result.to_dict())
        return 0 if result.accepted else 1
    print(_("File: {file}", file=safe(result.path)))
    if result.signatures == 0:
        for problem in result.problems:
            print(_("problem: {message}", message=problem), file=sys.stderr)
        print(_("Result: REJECTED"))
        return 1
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
    for problem in result.problems:
        print(_("problem: {message}", message=problem), file=sys.stderr)
    print(_("Result: accepted") if result.accepted else _("Result: REJECTED"))
    return 0 if result.accepted else 1


# -- end signing --------------------------------------------------------------------------


# -- packages (sync) --


def _progress_to_stderr(done: int, total: int, what: str) -> None:
    if sys.stderr.isatty():  # the carriage return is the CLI's own: written as it is
        write = getattr(sys.stderr, "write_trusted", sys.stderr.write)
        write(f"\r{what} {done}/{total}" + ("" if done < total else "\n"))


def _device_name(ctx: Context) -> str:
    """This device for people: the settings' first inspector, else the login, @ computer."""
    from inspector_app.settings import load_settings
    from inspector_app.sync.devices import readable_name

    names = load_settings().inspectors
    return readable_name(names[0] if names else ctx.actor)


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.sync import SUFFIX, export_package

    output = Path(args.output)
    check_output_file(output if output.suffix == SUFFIX else output.with_name(output.name + SUFFIX))
    result = export_package(
        ctx.with_templates(),
        ctx.data_dir,
        output,
        actor=ctx.actor,
        inspection_ids=args.inspection or None,
        progress=_progress_to_stderr,
        device_name=_device_name(ctx),
    )
    m = result.manifest
    if args.json:
        print_json(
            {
                "path": str(result.path),
                "package_id": m.package_id,
                "device_id": m.device_id,
                "device": m.device_name,
                "sequence": m.sequence,
                "fingerprint": m.fingerprint,
                "inspections": result.inspections,
                "photos": result.photos,
                "bytes": result.byte_size,
                "marked_exported": len(result.marked_exported),
            }
        )
    else:
        print(
            _(
                "Wrote {path}: {n} inspections, {photos} photos, {mb} MB "
                "(package {package}, no. {seq} of this device, key {fingerprint})",
                path=safe(result.path),
                n=result.inspections,
                photos=result.photos,
                mb=f"{result.byte_size / 1e6:.1f}",
                package=m.package_id[:8],
                seq=m.sequence,
                fingerprint=m.fingerprint,
            )
        )
    return 0


def _manifest_time(text: str) -> str:
    """A manifest's UTC time in the display zone."""
    import datetime as dt

    from inspector_app.timefmt import format_instant

    try:
        return format_instant(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return text


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.sync import PackageRejected, import_package, preview_import

    db = ctx.with_templates()
    path = Path(args.file)
    try:
        if args.dry_run:
            preview = preview_import(db, ctx.data_dir, path)
            m = preview.manifest
            data = {
                "package_id": m.package_id,
                "device": m.device_name,
                "device_id": m.device_id,
                "fingerprint": m.fingerprint,
                "sequence": m.sequence,
                "created_at": m.created_at,
                "device_known": preview.device_known,
                "key_matches": preview.key_matches,
                "already_imported": preview.already_imported,
                "known_name": preview.known_name,
                "same_name": preview.same_name,
                "summary": m.summary,
            }
            if args.json:
                print_json(data)
            else:
                print(
                    _(
                        "Package {package} from {device} (key {fingerprint}), made {created}: "
                        "{n} inspections, {photos} photos",
                        package=m.package_id[:8],
                        device=safe(m.device_name),
                        fingerprint=m.fingerprint,
                        created=_manifest_time(m.created_at),
                        n=m.summary.get("inspections", "?"),
                        photos=m.summary.get("photos", "?"),
                    )
                )
                if preview.known_name:
                    print(_("This device was known here as {name}.", name=preview.known_name))
                if preview.same_name:
                    print(
                        _(
                            "Another device here gives the same name: compare the key "
                            "fingerprint with the sender."
                        )
                    )
                if preview.already_imported:
                    print(_("Already imported: importing it again changes nothing."))
                elif not preview.key_matches:
                    print(_("Refused: this device's earlier packages were signed by another key."))
                elif not preview.device_known:
                    print(_("First package from this device: its key will be remembered."))
            return 0 if preview.key_matches else 1
        result = import_package(
            db, ctx.data_dir, path, actor=ctx.actor, progress=_progress_to_stderr
        )
    except PackageRejected as exc:
        print(_("{file}: refused: {reason}", file=safe(path), reason=exc), file=sys.stderr)
        return 1
    if args.json:
        print_json(result.as_dict())
    elif result.already_imported:
        print(_("{file}: already imported; nothing changed", file=safe(path)))
    else:
        r = result.merge
        print(
            _(
                "Imported {file}: {added} new, {updated} updated, {unchanged} unchanged, "
                "{newer} newer here, {conflicts} conflicts; {sites} new sites, "
                "{photos} photos stored",
                file=safe(path),
                added=len(r.added),
                updated=len(r.updated),
                unchanged=len(r.unchanged),
                newer=len(r.kept_newer),
                conflicts=len(r.conflicts) + r.site_conflicts,
                sites=r.sites_added,
                photos=result.photos_stored,
            )
        )
        if r.same_content:
            print(
                _(
                    "{n} inspections hold the same content as here, from another device: no "
                    "conflict; their history is kept to be shown.",
                    n=len(r.same_content),
                )
            )
        if r.conflicts or r.site_conflicts:
            print(
                _("Conflicts are kept beside the local records: see `inspector-app conflicts`."),
                file=sys.stderr,
            )
    return 0


def cmd_conflicts(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.conflicts import conflict_differences
    from inspector_app.services.sync import list_conflicts

    if args.id:
        diffs = conflict_differences(ctx.db, args.id)
        if args.json:
            print_json([d.as_dict() for d in diffs])
        else:
            print_table(
                [_("What"), _("Here"), _("Incoming")],
                [(d.what, d.local, d.incoming) for d in diffs],
            )
        return 0
    rows = list_conflicts(ctx.db, open_only=not args.all)
    if args.json:
        for r in rows:
            r["differences"] = [d.as_dict() for d in conflict_differences(ctx.db, r["id"])]
        print_json(rows)
        return 0
    print_table(
        [_("Conflict"), _("Record"), _("Id"), _("What"), _("From device"), _("Received")],
        [
            (
                r["id"][:8],
                r["entity"],
                r["entity_id"][:8],
                r["title"],
                r["device"],
                r["created_at"][:16],
            )
            for r in rows
        ],
    )
    return 0


def cmd_resolve(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.conflicts import resolve_conflicts
    from inspector_app.services.errors import InvalidInput

    if bool(args.ids) == bool(args.all):
        raise InvalidInput(_("name the conflicts to decide, or give --all"))
    done = resolve_conflicts(
        ctx.db, ctx.data_dir, None if args.all else args.ids, keep=args.keep, actor=ctx.actor
    )
    for row in done.done:
        if args.keep == "local":
            print(_("Conflict {id}: the local version was kept", id=row["id"][:8]))
        else:
            print(_("Conflict {id}: the incoming version replaced the local one", id=row["id"][:8]))
    for cid, why in done.refused:
        print(_("Conflict {id}: not decided: {reason}", id=cid[:8], reason=why), file=sys.stderr)
    if args.all and not done.done and not done.refused:
        print(_("No conflicts are waiting for a decision."))
    return 1 if done.refused else 0


def cmd_audit_verify(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.store.audit import verify_chain

    with ctx.db.session() as s:
        check = verify_chain(s)
    if check.ok:
        print(_("audit log intact: {n} entries, head {head}", n=check.rows, head=check.head[:16]))
        return 0
    print(
        _(
            "audit log broken at entry {seq}: {problem}",
            seq=check.first_bad_seq,
            problem=check.problem,
        ),
        file=sys.stderr,
    )
    return 1


def cmd_doctor(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.services.doctor import run_doctor

    report = run_doctor(ctx.data_dir)
    if args.json:
        print_json(report)
    else:
        for key, value in report.items():
            print(
                f"{key}: {json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value}"
            )
    return 0 if report.get("ok") else 1


def cmd_gui(ctx: Context, args: argparse.Namespace) -> int:
    from inspector_app.ui.app import run_gui

    return run_gui(
        args.data_dir, sample_data_if_empty=getattr(args, "sample_data", False), language=args.lang
    )


# -- parser -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    translate_argparse()  # argparse's own words too; its group titles are read right here
    p = argparse.ArgumentParser(
        prog="inspector-app",
        description=_("Inspector: offline field inspection (中试基地 / 技术转移服务机构 绩效评价)"),
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("show the version and exit"),
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help=_("data folder (default: ${env} or the per-user data folder)", env=paths.DATA_DIR_ENV),
    )
    p.add_argument("--lang", choices=("zh", "en"), help=_("language of messages (default zh)"))
    p.add_argument(
        "--sample-data",
        action="store_true",
        help=_("desktop: load the sample data (示例) first if the data folder is empty"),
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        parent: Any, name: str, func: Callable[..., int], help_: str
    ) -> argparse.ArgumentParser:
        c = parent.add_parser(name, help=help_, description=help_)
        c.set_defaults(func=func)
        return c

    def group(name: str, help_: str) -> Any:
        g = sub.add_parser(name, help=help_, description=help_)
        g.set_defaults(func=lambda _ctx, _args, g=g: (g.print_help(), 2)[1])
        return g.add_subparsers(metavar="ACTION")

    forms = group("forms", _("checklist templates"))
    c = command(forms, "validate", cmd_forms_validate, _("validate template files"))
    c.add_argument("paths", nargs="+", metavar="PATH")
    c = command(forms, "list", cmd_forms_list, _("list the templates in the data folder"))
    c.add_argument("--json", action="store_true")

    sites = group("sites", _("the site registry"))
    c = command(sites, "import", cmd_sites_import, _("import sites from a .csv or .xlsx file"))
    c.add_argument("file", metavar="FILE")
    c = command(sites, "list", cmd_sites_list, _("list sites"))
    c.add_argument("--json", action="store_true")
    c.add_argument("--type", choices=("pilot_base", "tech_transfer", "platform"))

    command(
        sub, "demo", cmd_demo, _("load sample sites and inspections (示例) into the data folder")
    )

    ins = group("inspections", _("inspections"))
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
    c.add_argument("--date", type=_date)
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

    fnd = group("findings", _("findings and corrective actions (问题与整改)"))
    c = command(fnd, "add", cmd_findings_add, _("add a finding to an inspection"))
    c.add_argument("id", metavar="INSPECTION_ID")
    c.add_argument("--description", required=True)
    c.add_argument("--severity", default="minor", choices=("minor", "major", "critical"))
    c.add_argument("--item")
    c.add_argument("--requirement")
    c.add_argument("--deadline", type=_date)
    c.add_argument("--responsible")

    # -- photos (evidence on site) --
    pho = group("photos", _("photos as evidence (现场照片)"))
    c = command(
        pho,
        "add",
        cmd_photos_add,
        _("add photo files, or every JPEG/PNG in folders, to an inspection"),
    )
    c.add_argument("id", metavar="INSPECTION_ID")
    c.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER")
    c.add_argument("--item", metavar="ITEM_ID", help=_("attach the photos to this item"))
    c.add_argument("--caption", metavar="TEXT", help=_("caption for every photo added"))
    c = command(pho, "list", cmd_photos_list, _("list the photos of an inspection"))
    c.add_argument("id", metavar="INSPECTION_ID")
    c.add_argument("--json", action="store_true")
    # -- end photos --

    # -- signing --
    cag = group("ca", _("the HQ certificate authority (HQ only)"))
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

    kg = group("keys", _("this laptop's signing key and certificate"))
    c = command(kg, "init", cmd_keys_init, _("make your signing key (self-signed until HQ issues)"))
    c.add_argument("--name", help=_("your name as it appears in signatures"))
    c.add_argument("--organisation", help=_("organisation named in the certificate"))
    c.add_argument("--force", action="store_true", help=_("replace an existing key"))
    c = command(kg, "show", cmd_keys_show, _("show your signing identity"))
    c.add_argument("--json", action="store_true")
    c = command(kg, "import-cert", cmd_keys_import_cert, _("install a certificate from HQ"))
    c.add_argument("file", metavar="FILE")
    c.add_argument("--key", metavar="KEYFILE", help=_("the encrypted key file that came with it"))

    c = command(sub, "report", cmd_report, _("write the PDF report of an inspection"))
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

    c = command(sub, "verify", cmd_verify, _("verify the signature of a PDF report, offline"))
    c.add_argument("file", metavar="FILE.pdf")
    c.add_argument(
        "--trust",
        action="append",
        metavar="CA.pem",
        help=_("a CA certificate to trust (repeatable)"),
    )
    c.add_argument("--json", action="store_true")
    # -- end signing --

    # -- packages (sync) --
    c = command(sub, "export", cmd_export, _("write inspections into a package file (.inspkg)"))
    c.add_argument("-o", "--output", required=True, metavar="FILE.inspkg")
    c.add_argument(
        "--inspection",
        action="append",
        metavar="ID",
        help=_("an inspection to export (repeatable; default: all)"),
    )
    c.add_argument("--json", action="store_true")
    c = command(sub, "import", cmd_import, _("import a package file (.inspkg), all or nothing"))
    c.add_argument("file", metavar="FILE.inspkg")
    c.add_argument(
        "--dry-run", action="store_true", help=_("check the package and say what it holds")
    )
    c.add_argument("--json", action="store_true")
    c = command(sub, "conflicts", cmd_conflicts, _("list imported versions kept as conflicts"))
    c.add_argument(
        "id", nargs="?", metavar="CONFLICT_ID", help=_("show what differs in this conflict")
    )
    c.add_argument("--all", action="store_true", help=_("resolved ones too"))
    c.add_argument("--json", action="store_true")
    c = command(sub, "resolve", cmd_resolve, _("decide conflicts kept by an import"))
    c.add_argument("ids", nargs="*", metavar="CONFLICT_ID")
    c.add_argument("--all", action="store_true", help=_("every open conflict"))
    c.add_argument(
        "--keep",
        required=True,
        choices=("local", "incoming"),
        help=_("keep the local version, or take the incoming one in its place"),
    )
    # -- end packages --

    aud = group("audit", _("the audit log"))
    command(aud, "verify", cmd_audit_verify, _("check the audit log's hash chain"))

    c = command(sub, "doctor", cmd_doctor, _("check the installation and the data folder"))
    c.add_argument("--json", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point: everything it prints goes through SafeStream (cli_checks)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    streams = sys.stdout, sys.stderr
    if sys.stdout is not None:  # None in a windowed build without a console
        sys.stdout = SafeStream(sys.stdout)  # type: ignore[assignment]
    if sys.stderr is not None:
        sys.stderr = SafeStream(sys.stderr)  # type: ignore[assignment]
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: list[str]) -> int:
    # The language must be known before the parser's help texts are built.
    early_language(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    command = chosen_parser(parser, args)
    problem = text_argument_problem(command, args)
    if problem:  # invalid UTF-8 in a text argument: a usage error (exit 2), for every command
        command.error(problem)
    data_dir = paths.resolve_data_dir(args.data_dir)
    problem = check_data_dir(data_dir)
    if problem:
        print(_("error: {message}", message=problem), file=sys.stderr)
        return 1
    ctx = Context(data_dir)
    from inspector_app.settings import load_settings, use_data_folder
    from inspector_app.timefmt import set_display_zone

    use_data_folder(paths.given_data_dir(args.data_dir))  # a given folder: its own settings

    set_display_zone(load_settings().timezone)
    func = getattr(args, "func", cmd_gui)

    from inspector_app.domain.checklists.errors import TemplateError
    from inspector_app.services.errors import ServiceError
    from inspector_app.signing import SigningError
    from inspector_app.store.db import DatabaseError

    try:
        return func(ctx, args)
    except (ServiceError, DatabaseError, TemplateError, SigningError, OutputRefused) as exc:
        print(_("error: {message}", message=exc), file=sys.stderr)
        return 1
    except OSError as exc:  # a file that vanished or cannot be written: say which
        where = f"{safe(exc.filename)}: " if exc.filename else ""
        print(_("error: {message}", message=f"{where}{exc.strerror or exc}"), file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:
        if not paths.is_frozen():
            raise  # a developer wants the traceback
        # A defect of the one-folder build (build.spec), not of the user's input: say what
        # is missing instead of a traceback.
        print(
            _(
                "error: this build of Inspector lacks the module {module}, a defect of the build: please report it with the output of `inspector-app doctor`",
                module=exc.name or exc,
            ),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        ctx.close()
