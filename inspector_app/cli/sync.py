"""Packages between laptops and HQ: ``export`` and ``import`` a package file (.inspkg),
``conflicts`` lists the imported versions kept beside local ones, ``resolve`` decides them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.checks import check_output_file, safe
from inspector_app.cli.commands import command
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import print_json, print_table, progress_to_stderr, warn
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    c = command(
        subparsers, "export", cmd_export, _("write inspections into a package file (.inspkg)")
    )
    c.add_argument("-o", "--output", required=True, metavar="FILE.inspkg")
    c.add_argument(
        "--inspection",
        action="append",
        metavar="ID",
        help=_("an inspection to export (repeatable; default: all)"),
    )
    c.add_argument("--json", action="store_true")
    c = command(
        subparsers, "import", cmd_import, _("import a package file (.inspkg), all or nothing")
    )
    c.add_argument("file", metavar="FILE.inspkg")
    c.add_argument(
        "--dry-run", action="store_true", help=_("check the package and say what it holds")
    )
    c.add_argument("--json", action="store_true")
    c = command(
        subparsers, "conflicts", cmd_conflicts, _("list imported versions kept as conflicts")
    )
    c.add_argument(
        "id", nargs="?", metavar="CONFLICT_ID", help=_("show what differs in this conflict")
    )
    c.add_argument("--all", action="store_true", help=_("resolved ones too"))
    c.add_argument("--json", action="store_true")
    c = command(subparsers, "resolve", cmd_resolve, _("decide conflicts kept by an import"))
    c.add_argument("ids", nargs="*", metavar="CONFLICT_ID")
    c.add_argument("--all", action="store_true", help=_("every open conflict"))
    c.add_argument(
        "--keep",
        required=True,
        choices=("local", "incoming"),
        help=_("keep the local version, or take the incoming one in its place"),
    )


def _device_name(ctx: Context) -> str:
    """This device for people: the settings' first inspector, else the login, @ computer."""
    from inspector_app.services.sync import readable_name
    from inspector_app.settings import load_settings

    names = load_settings().inspectors
    return readable_name(names[0] if names else ctx.actor)


def cmd_export(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.sync import SUFFIX, export_package

    output = Path(args.output)
    check_output_file(output if output.suffix == SUFFIX else output.with_name(output.name + SUFFIX))
    ctx.with_templates()
    result = export_package(
        ctx.ws,
        output,
        actor=ctx.actor,
        inspection_ids=args.inspection or None,
        progress=progress_to_stderr,
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
    return ExitCode.OK


def _manifest_time(text: str) -> str:
    """A manifest's UTC time in the display zone."""
    import datetime as dt

    from inspector_app.timefmt import format_instant

    try:
        return format_instant(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return text


def _print_preview(preview: Any) -> None:
    """What ``import --dry-run`` found in the package, for people."""
    m = preview.manifest
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


def _print_imported(path: Path, result: Any) -> None:
    """What ``import`` did, for people."""
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
        warn(_("Conflicts are kept beside the local records: see `inspector-app conflicts`."))


def cmd_import(ctx: Context, args: argparse.Namespace) -> ExitCode:
    """With --dry-run: exit 1 when the package would be refused (another key)."""
    from inspector_app.services.sync import PackageRejected, import_package, preview_import

    ctx.with_templates()
    path = Path(args.file)
    try:
        if args.dry_run:
            preview = preview_import(ctx.ws, path)
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
                _print_preview(preview)
            return ExitCode.OK if preview.key_matches else ExitCode.REFUSED
        result = import_package(ctx.ws, path, actor=ctx.actor, progress=progress_to_stderr)
    except PackageRejected as exc:
        warn(_("{file}: refused: {reason}", file=safe(path), reason=exc))
        return ExitCode.REFUSED
    if args.json:
        print_json(result.as_dict())
    elif result.already_imported:
        print(_("{file}: already imported; nothing changed", file=safe(path)))
    else:
        _print_imported(path, result)
    return ExitCode.OK


def cmd_conflicts(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.conflicts import conflict_differences
    from inspector_app.services.sync import list_conflicts

    if args.id:
        diffs = conflict_differences(ctx.ws, args.id)
        if args.json:
            print_json([d.as_dict() for d in diffs])
        else:
            print_table(
                [_("What"), _("Here"), _("Incoming")],
                [(d.what, d.local, d.incoming) for d in diffs],
            )
        return ExitCode.OK
    rows = list_conflicts(ctx.ws, open_only=not args.all)
    if args.json:
        for r in rows:
            r["differences"] = [d.as_dict() for d in conflict_differences(ctx.ws, r["id"])]
        print_json(rows)
        return ExitCode.OK
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
    return ExitCode.OK


def cmd_resolve(ctx: Context, args: argparse.Namespace) -> ExitCode:
    """Exit 1 when a conflict named could not be decided; the others are."""
    from inspector_app.services.conflicts import resolve_conflicts
    from inspector_app.services.errors import InvalidInput

    if bool(args.ids) == bool(args.all):
        raise InvalidInput(_("name the conflicts to decide, or give --all"))
    done = resolve_conflicts(
        ctx.ws, None if args.all else args.ids, keep=args.keep, actor=ctx.actor
    )
    for row in done.done:
        if args.keep == "local":
            print(_("Conflict {id}: the local version was kept", id=row["id"][:8]))
        else:
            print(_("Conflict {id}: the incoming version replaced the local one", id=row["id"][:8]))
    for cid, why in done.refused:
        warn(_("Conflict {id}: not decided: {reason}", id=cid[:8], reason=why))
    if args.all and not done.done and not done.refused:
        print(_("No conflicts are waiting for a decision."))
    return ExitCode.REFUSED if done.refused else ExitCode.OK
