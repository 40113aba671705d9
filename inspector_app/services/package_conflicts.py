"""The conflicts an import kept: incoming versions beside a local one, listed for a person,
and a person's decision on one (keep the local version, or take the incoming one). What
differs field by field, and several decided at once, is ``services.conflicts``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from inspector_app import timefmt
from inspector_app.i18n import _
from inspector_app.media import store
from inspector_app.services.browse import status_label
from inspector_app.services.errors import InvalidInput, NotFound
from inspector_app.store import audit
from inspector_app.store.repo import sync as repo
from inspector_app.store.repo import sync_records as records
from inspector_app.sync import bundles, checks, devices, merge, wire
from inspector_app.sync.strict import PackageRejected

if TYPE_CHECKING:
    from inspector_app.domain.packages import Conflict
    from inspector_app.store.db import Tx
    from inspector_app.workspace import Workspace

__all__ = ["find_conflict", "list_conflicts", "resolve_conflict"]


def _local_time(ts: Any) -> str:
    """An audit time (UTC) as month, day and time in the display zone."""
    try:
        return timefmt.local(dt.datetime.fromisoformat(str(ts))).strftime("%m-%d %H:%M")
    except ValueError:
        return "?"


def _describe(s: Tx, conflict: Conflict) -> tuple[str, str, str]:
    """What the conflict is about, and the local and the incoming side in a few words."""
    incoming = conflict.incoming
    if conflict.entity == "site":
        site = records.site(s, conflict.entity_id)
        title = f"{site.code} {site.name}" if site else conflict.entity_id[:8]
        theirs = f"{incoming.get('name', '')} · {incoming.get('contact_name') or ''}".strip(" ·")
        mine = f"{site.name} · {site.contact_name or ''}".strip(" ·") if site else ""
        return title, mine, theirs
    inspection = incoming.get("inspection")
    head: dict[str, Any] = inspection if isinstance(inspection, dict) else {}
    insp = records.inspection(s, conflict.entity_id)
    site = records.site(s, insp.site_id) if insp else None
    started = insp.started_on.isoformat() if insp else str(head.get("started_on", ""))
    title = f"{site.name if site else ''} · {started}".strip(" ·")

    def side(status: Any, score: Any, history: Any) -> str:
        edits = [
            e
            for e in (history if isinstance(history, list) else [])
            if isinstance(e, dict) and e.get("action") not in merge.ANNOTATIONS
        ]
        last = edits[-1] if edits else {}
        return _(
            "{status}, score {score}; last edit by {actor}, {time}",
            status=status_label(str(status)),
            score=score,
            actor=last.get("actor", "?"),
            time=_local_time(last.get("ts")),
        )

    mine = _("not here yet")
    if insp is not None:
        mine = side(insp.status, insp.score_total, bundles.history_of(s, insp.id))
    theirs = side(head.get("status", ""), head.get("score_total", ""), incoming.get("history"))
    return title, mine, theirs


def list_conflicts(ws: Workspace, *, open_only: bool = True) -> list[dict[str, Any]]:
    """Incoming versions kept beside a local one, for a person to decide."""
    with ws.db.session() as s:
        kept = repo.conflicts(s, open_only=open_only)
        names = devices.shown_names(s)  # a name two devices give comes with its key
        out = []
        for c, device_id in kept:
            title, mine, theirs = _describe(s, c)
            out.append(
                {
                    "id": c.id,
                    "entity": c.entity,
                    "entity_id": c.entity_id,
                    "package_id": c.package_id,
                    "device": names.get(device_id, device_id),
                    "created_at": c.created_at.isoformat(),
                    "resolved": c.resolution,
                    "title": title,
                    "local": mine,
                    "incoming": theirs,
                }
            )
    return out


def _no_conflict(ref: str) -> NotFound:
    return NotFound(_("no conflict {id}", id=ref))


def find_conflict(s: Tx, ref: str) -> Conflict:
    """A conflict by its id or an unambiguous prefix of at least 6 characters."""
    conflict = repo.find_conflict(s, ref)
    if conflict is None:
        raise _no_conflict(ref)
    return conflict


def _take_incoming_site(s: Tx, conflict: Conflict, actor: str) -> None:
    """The facts of a site as the sender has them, in place of the local ones."""
    incoming = conflict.incoming
    site = records.site(s, conflict.entity_id)
    if site is None:
        raise NotFound(_("no site {id}", id=conflict.entity_id[:8]))
    checked = checks.check_site(incoming)
    if records.site_code_taken(s, checked["code"], other_than=site.id):
        raise InvalidInput(_("another site here has the code {code}", code=checked["code"]))
    old = bundles.row_of(site)
    records.take_site_facts(
        s, site.id, {k: v for k, v in checked.items() if k not in merge.SITE_VOLATILE}
    )
    audit.append(
        s,
        actor=actor,
        action="update",
        entity="site",
        entity_id=site.id,
        old={k: v for k, v in old.items() if k not in merge.SITE_VOLATILE},
        new={k: v for k, v in incoming.items() if k not in merge.SITE_VOLATILE},
    )


def resolve_conflict(ws: Workspace, conflict_id: str, *, keep: str, actor: str) -> dict[str, Any]:
    """Decide a conflict: keep the ``local`` version (the incoming one stays on record), or
    take the ``incoming`` one in place of the local rows. Audited; one transaction."""
    if keep not in ("local", "incoming"):
        raise InvalidInput(_("keep either local or incoming, not {value!r}", value=keep))
    with ws.db.transaction() as s:
        conflict = repo.find_conflict(s, conflict_id)
        if conflict is None:
            raise _no_conflict(conflict_id)
        if conflict.resolved_at is not None:
            raise InvalidInput(
                _(
                    "conflict {id} was resolved already ({how})",
                    id=conflict.id[:8],
                    how=conflict.resolution,
                )
            )
        if keep == "incoming" and conflict.entity == "inspection":
            incoming = dict(conflict.incoming)
            shas = {
                (str(p.get("sha256")), str(p.get("media_type")))
                for p in incoming.get("photos", [])
                if isinstance(p, dict)
            }
            present = {
                wire.media_member(sha, media_type)
                for sha, media_type in shas
                if isinstance(sha, str)
                and len(sha) == 64
                and media_type in wire.MEDIA_TYPES
                and store.verify_original(ws.data_dir, sha, media_type)
            }
            receipt = repo.receipt(s, conflict.package_id)
            try:
                merge.take_incoming_inspection(
                    s, incoming, present, receipt.device_id if receipt else None
                )
            except (ValueError, PackageRejected) as exc:
                raise InvalidInput(str(exc)) from None
        elif keep == "incoming":
            _take_incoming_site(s, conflict, actor)
        conflict = dataclasses.replace(
            conflict,
            resolved_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            resolution="kept_local" if keep == "local" else "took_incoming",
        )
        repo.save_resolution(s, conflict)
        audit.append(
            s,
            actor=actor,
            action="resolve",
            entity="conflict",
            entity_id=conflict.id,
            new={
                "entity": conflict.entity,
                "entity_id": conflict.entity_id,
                "package": conflict.package_id,
                "resolution": conflict.resolution,
            },
        )
        return {
            "id": conflict.id,
            "entity": conflict.entity,
            "entity_id": conflict.entity_id,
            "resolution": conflict.resolution,
        }
