"""``photos``: photos as evidence on site (现场照片): add files or camera folders, list them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector_app.cli.checks import safe
from inspector_app.cli.commands import command, group
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import print_json, print_table, warn
from inspector_app.i18n import _


def register(subparsers: Any) -> None:
    pho = group(subparsers, "photos", _("photos as evidence (现场照片)"))
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


def cmd_photos_add(ctx: Context, args: argparse.Namespace) -> ExitCode:
    """Exit 1 when a file was refused; the others are added all the same."""
    from inspector_app.services.photos import add_photos

    report = add_photos(
        ctx.ws,
        args.id,
        [Path(p) for p in args.paths],
        actor=ctx.actor,
        item_id=args.item,
        caption=args.caption,
    )
    for p in report.added:
        print(f"{p.id[:8]}  {p.sha256[:12]}  {safe(p.original_name)}")
    for path in report.duplicates:
        warn(_("{file}: already in this inspection, not added again", file=safe(path)))
    for path, reason in report.refused:
        warn(f"{safe(path)}: {reason}")
    return ExitCode.REFUSED if report.refused else ExitCode.OK


def cmd_photos_list(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from inspector_app.services.photos import list_photos, photo_dict, taken_text

    photos = list_photos(ctx.ws, args.id)
    if args.json:
        print_json([photo_dict(p) for p in photos])
        return ExitCode.OK
    from inspector_app.services.inspection_views import load_inspection_state
    from inspector_app.services.inspections import item_title

    template = load_inspection_state(ctx.ws, args.id).template
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
    return ExitCode.OK
