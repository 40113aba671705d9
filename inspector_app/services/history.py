"""An inspection's audit log as a readable timeline, and the state of the hash chain.

``inspection_history`` reads every audit entry of one inspection, oldest first, and turns
each into a row people can read: when (local time), who, a translated action, what was
changed (named by the item's title in the inspection's pinned template, the raw id when the
template does not know it) and the old and new values formatted for people. The raw values
stay on the entry. The words are ``presenters.history``'s, one small rule per kind of entry.

An inspection that arrived in a package also has the entries it arrived with
(``sync.received``): they are merged into the timeline by their (UTC) times, each marked
with the device it came from by that device's latest readable name.

``chain_status`` (``services.chain``) checks this folder's hash chain, which is global to
the data folder; ``received_check`` says what was checked of the received entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector_app.i18n import _, pick
from inspector_app.presenters.history import Raw as _Raw
from inspector_app.presenters.history import action_label, describe
from inspector_app.presenters.text import shorten
from inspector_app.presenters.times import local_time
from inspector_app.presenters.values import Naming, decode
from inspector_app.services.chain import (  # noqa: F401 - re-exported
    ChainStatus,
    ReceivedCheck,
    chain_status,
    describe_chain,
    describe_received,
    received_check,
)
from inspector_app.store.repo import history as repo
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.services.inspection_views import InspectionState

_Context = Naming  # what naming the rows needs: the pinned template, findings, photos


# -- the rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One audit entry, readable. ``raw_*`` keep what the log holds, decoded from JSON."""

    seq: int
    when: str  # local time, for display
    utc: str  # the log's own UTC ISO-8601 timestamp
    actor: str
    action: str  # translated label
    what: str  # translated description of the changed thing
    old: str  # formatted for people, shortened
    new: str
    old_full: str  # formatted, not shortened (tooltips, search)
    new_full: str
    revision: int | None
    raw_action: str
    entity: str
    entity_id: str
    field: str | None
    raw_old: Any
    raw_new: Any
    # where the entry comes from: "" for this folder's own log, else the readable name of
    # the device whose package brought it (``sync.devices``)
    source: str = ""
    received: bool = False
    device_id: str | None = None
    counted: bool = True  # False: a received entry kept to be shown only (sync.received)
    hash_ok: bool = True  # a received entry's own hash checks (this folder's: see the chain)
    order: int = 0  # its place in the timeline

    def as_row(self) -> dict[str, Any]:
        """The plain dict a table model shows (``ui.history``)."""
        return {
            "seq": self.seq,
            "when": self.when,
            "utc": self.utc,
            "actor": self.actor,
            "action": self.action,
            "what": self.what,
            "old": self.old,
            "new": self.new,
            "old_full": self.old_full,
            "new_full": self.new_full,
            "revision": self.revision,
            "source": self.source,
            "received": self.received,
            "counted": self.counted,
            "hash_ok": self.hash_ok,
            "order": self.order,
        }


def _revision_after(raw: _Raw, current: int | None) -> int | None:
    """The inspection revision an entry belongs to, following the log."""
    if raw.entity == "inspection" and raw.action == "create":
        return 1
    if raw.action == "amend" and isinstance(raw.new, dict):
        rev = raw.new.get("revision")
        return rev if isinstance(rev, int) else current
    return current


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    received: bool = False
    device_id: str | None = None
    device: str = ""
    counted: bool = True
    hash_ok: bool = True


_HERE = _Source()


def _context(ws: Workspace, inspection_id: str) -> tuple[str, _Context, InspectionState | None]:
    """The full inspection id and what naming the rows needs; the raw id when it is gone."""
    from inspector_app.services.errors import NotFound
    from inspector_app.services.inspection_views import load_inspection_state

    try:
        state = load_inspection_state(ws, inspection_id)
    except NotFound:
        return inspection_id, _Context(template=None), None
    ctx = _Context(template=state.template, site_code=state.site_code, site_name=state.site_name)
    known = repo.names(ws.db, state.id)
    ctx.findings, ctx.carried_from, ctx.photos = known.findings, known.carried_from, known.photos
    return state.id, ctx, state


def _raw(values: dict[str, Any]) -> _Raw:
    """``values``: every key of ``repo.ENTRY_KEYS``, as a row of the log or a received entry holds
    it (a received entry's may be None where ``Raw`` says text; its readers allow that)."""
    return _Raw(
        id=values["id"],
        seq=values["seq"],
        ts=values["ts"],
        actor=values["actor"],
        action=values["action"],
        entity=values["entity"],
        entity_id=values["entity_id"],
        field=values["field"],
        old=decode(values["old"]),
        new=decode(values["new"]),
    )


def _received(ws: Workspace, inspection_id: str, own: set[str]) -> list[tuple[_Raw, _Source]]:
    """The entries the inspection arrived with (``sync.received``), with their device; an
    entry this folder wrote itself (it went out and came back) is shown once, as its own."""
    from inspector_app.sync import devices, received

    with ws.db.session() as s:
        names = devices.shown_names(s)  # a name two devices give comes with its key
        rows = received.received_entries(s, inspection_id)
    out = []
    for r in rows:
        entry = r.entry
        if entry.get("id") in own:
            continue
        if r.device_id is None:
            device = _("received in a package")
        else:
            device = names.get(r.device_id) or r.device_id[:8]
        values = {k: entry.get(k) for k in repo.ENTRY_KEYS}
        if not isinstance(values["seq"], int):
            values["seq"] = 0
        values = {k: (v if k == "seq" or v is None else str(v)) for k, v in values.items()}
        out.append((_raw(values), _Source(True, r.device_id, device, r.lineage, r.hash_ok)))
    return out


def _instant(ts: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _entries(ws: Workspace, inspection_id: str, ctx: _Context) -> list[HistoryEntry]:
    """This folder's own entries and the received ones, in the order of their (UTC) times;
    entries of one source keep their own order when the times agree."""
    own = [(_raw(row), _HERE) for row in repo.audit_rows(ws.db, inspection_id)]
    rows = own + _received(ws, inspection_id, {r.id for r, _s in own})
    order = sorted(range(len(rows)), key=lambda n: (_instant(rows[n][0].ts), n))
    out: list[HistoryEntry] = []
    revision: int | None = None
    for position, n in enumerate(order):
        raw, source = rows[n]
        revision = _revision_after(raw, revision)
        what, old_text, new_text = describe(raw, ctx)
        entry_revision = revision
        if raw.entity == "signature" and isinstance(raw.new, dict):
            rev = raw.new.get("revision")
            entry_revision = rev if isinstance(rev, int) else revision
        out.append(
            HistoryEntry(
                seq=raw.seq,
                when=local_time(raw.ts),
                utc=raw.ts,
                actor=raw.actor,
                action=action_label(raw),
                what=what,
                old=shorten(old_text),
                new=shorten(new_text),
                old_full=old_text,
                new_full=new_text,
                revision=entry_revision,
                raw_action=raw.action,
                entity=raw.entity,
                entity_id=raw.entity_id,
                field=raw.field,
                raw_old=raw.old,
                raw_new=raw.new,
                source=source.device,
                received=source.received,
                device_id=source.device_id,
                counted=source.counted,
                hash_ok=source.hash_ok,
                order=position,
            )
        )
    return out


def inspection_history(ws: Workspace, inspection_id: str) -> list[HistoryEntry]:
    """Every audit entry of one inspection, oldest first, as readable rows.

    Items are named by their titles in the inspection's pinned template, findings by their
    description; values are formatted by ``presenters.values``. An id prefix is accepted, as
    elsewhere; an id the database does not know gives the entries the log has for it.
    """
    full_id, ctx, _state = _context(ws, inspection_id)
    return _entries(ws, full_id, ctx)


@dataclass(frozen=True)
class InspectionHistory:
    """What the history window shows, read in one go (off the GUI thread)."""

    inspection_id: str
    site_name: str
    site_code: str
    template_title: str
    started_on: str
    status: str  # raw status
    revision: int
    entries: list[HistoryEntry]
    chain: ChainStatus

    @property
    def received(self) -> ReceivedCheck:
        return received_check(self.entries)


def load_history(ws: Workspace, inspection_id: str) -> InspectionHistory:
    """The inspection's heading, its timeline and the (whole log's) chain status."""
    from inspector_app.services.errors import NotFound

    full_id, ctx, state = _context(ws, inspection_id)
    if state is None:
        raise NotFound(_("no inspection {id}", id=inspection_id))
    return InspectionHistory(
        inspection_id=full_id,
        site_name=state.site_name,
        site_code=state.site_code,
        template_title=f"{pick(state.template.title)} {state.template.version}",
        started_on=state.started_on.isoformat(),
        status=state.status,
        revision=state.revision,
        entries=_entries(ws, full_id, ctx),
        chain=chain_status(ws),
    )
