"""An inspection's audit log as a readable timeline, and the state of the hash chain.

``inspection_history`` reads every audit entry of one inspection, oldest first, and turns
each into a row people can read: when (local time), who, a translated action, what was
changed (named by the item's title in the inspection's pinned template, the raw id when the
template does not know it) and the old and new values formatted for people. The raw values
stay on the entry. Formatting rules are small functions below, one per kind of value.

An inspection that arrived in a package also has the entries it arrived with
(``sync.received``): they are merged into the timeline by their (UTC) times, each marked
with the device it came from by that device's latest readable name.

``chain_status`` (``services.chain``) checks this folder's hash chain, which is global to
the data folder; ``received_check`` says what was checked of the received entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector_app.i18n import _, pick
from inspector_app.services.chain import (  # noqa: F401 - re-exported
    ChainStatus,
    ReceivedCheck,
    chain_status,
    describe_chain,
    describe_received,
    received_check,
)
from inspector_app.services.readable import (  # noqa: F401 - the formatting rules, re-exported
    ANSWER_PARTS,
    FINDING_FIELDS,
    NONE,
    SEP,
    SHORT,
    Naming,
    answer_value,
    decode,
    evidence_value,
    finding_status_label,
    finding_value,
    labelled,
    local_time,
    number,
    photo_role_label,
    plain,
    revision_value,
    role_label,
    severity_label,
    shorten,
    status_value,
    yes_no,
)
from inspector_app.store.db import Database

if TYPE_CHECKING:
    from inspector_app.services.inspections import InspectionState

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


# -- what the entries are about ------------------------------------------------------------


@dataclass(frozen=True)
class _Raw:
    id: str
    seq: int
    ts: str
    actor: str
    action: str
    entity: str
    entity_id: str
    field: str | None
    old: Any
    new: Any


Described = tuple[str, str, str]  # what, old, new (not yet shortened)


def _action_label(raw: _Raw) -> str:
    if raw.entity == "photo":
        photo = {
            "create": _("Add photo"),
            "delete": _("Remove photo"),
            "link": _("Link photo"),
        }
        if raw.action in photo:
            return photo[raw.action]
    labels = {
        "create": _("Create"),
        "answer": _("Fill in"),
        "complete": _("Complete"),
        "amend": _("Amend"),
        "sign": _("Sign"),
        "export": _("Export"),
        "status": _("Status"),
        "carry_forward": _("Carry forward"),
        "update": _("Edit"),
        "report_signed": _("Sign the report"),
    }
    return labels.get(raw.action, raw.action)


def _inspection(raw: _Raw, ctx: _Context) -> Described:
    what = _("Inspection")
    if raw.action == "create" and isinstance(raw.new, dict):
        return what, NONE, _created(raw.new, ctx)
    if raw.action == "report_signed" and isinstance(raw.new, dict):
        return _report_signed(raw.new)
    if raw.field == "status":
        return f"{what}{SEP}{_('Status')}", status_value(raw.old), status_value(raw.new)
    if raw.field == "revision":
        return f"{what}{SEP}{_('Revision')}", revision_value(raw.old), revision_value(raw.new)
    return _generic(raw, ctx)


def _report_signed(new: dict[str, Any]) -> Described:
    """The PDF report of a revision signed with a key (services/signing.py)."""
    what = _("Report {number}", number=plain(new.get("report_number")))
    if new.get("revision") is not None:
        what += SEP + _("Revision {rev}", rev=new["revision"])
    parts = [_("digitally signed by {name}", name=plain(new.get("signer")))]
    if new.get("self_signed"):
        parts.append(_("self-signed key, not issued by headquarters"))
    if new.get("file"):
        parts.append(plain(new["file"]))
    if new.get("sha256"):
        parts.append(_("file SHA-256 {hash}", hash=str(new["sha256"])[:16]))
    return what, NONE, SEP.join(parts)


def _created(new: dict[str, Any], ctx: _Context) -> str:
    site = str(new.get("site") or "")
    if site and site == ctx.site_code and ctx.site_name:
        site = f"{ctx.site_name}（{site}）"
    template = str(new.get("template") or "")
    t = ctx.template
    if t is not None and template == f"{t.id}@{t.version}":
        template = f"{pick(t.title)} {t.version}"
    parts = [site, template, plain(new.get("inspectors")), str(new.get("started_on") or "")]
    return SEP.join(p for p in parts if p and p != NONE)


def _answer(raw: _Raw, ctx: _Context) -> Described:
    item_id, _dot, part = (raw.field or "").rpartition(".")  # item ids may contain dots
    if not item_id:
        return _generic(raw, ctx)
    label = ANSWER_PARTS.get(part)
    what = f"{ctx.title(item_id)}{SEP}{label() if label else part}"
    item = ctx.item(item_id)
    if part == "value":
        veto = ctx.is_veto(item_id)
        return (
            what,
            answer_value(item, raw.old, veto=veto),
            answer_value(item, raw.new, veto=veto),
        )
    if part == "not_applicable":
        return what, yes_no(bool(raw.old)), yes_no(bool(raw.new))
    if part == "evidence_checked":
        return what, evidence_value(item, raw.old), evidence_value(item, raw.new)
    return what, plain(raw.old), plain(raw.new)


def _finding_summary(new: dict[str, Any], ctx: _Context) -> str:
    parts = [severity_label(new.get("severity"))]
    for key, name in (
        ("item", "item_id"),
        ("requirement", "requirement"),
        ("deadline", "deadline"),
        ("responsible", "responsible"),
    ):
        if new.get(key):
            parts.append(labelled(FINDING_FIELDS[name](), finding_value(key, new[key], ctx)))
    return SEP.join(parts)


def _finding(raw: _Raw, ctx: _Context) -> Described:
    what = ctx.finding(raw.entity_id, raw.new)
    if raw.action == "create" and isinstance(raw.new, dict):
        return what, NONE, _finding_summary(raw.new, ctx)
    if raw.action == "carry_forward":
        source = ctx.carried_from.get(str(raw.new))
        new = (
            _("from the inspection of {date}", date=source)
            if source
            else _("from an earlier inspection")
        )
        return what, NONE, new
    if raw.field in FINDING_FIELDS:
        return (
            f"{what}{SEP}{FINDING_FIELDS[raw.field]()}",
            finding_value(raw.field, raw.old, ctx),
            finding_value(raw.field, raw.new, ctx),
        )
    return _generic(raw, ctx, what)


def _signature(raw: _Raw, ctx: _Context) -> Described:
    new = raw.new if isinstance(raw.new, dict) else {}
    if raw.action != "sign" or not new:
        return _generic(raw, ctx, _("Signature"))
    what = _(
        "Signature: {name} ({role})",
        name=plain(new.get("signer")),
        role=role_label(new.get("role")),
    )
    parts = []
    if new.get("revision") is not None:
        parts.append(_("Revision {rev}", rev=new["revision"]))
    if new.get("data_hash"):
        parts.append(_("data hash {hash}", hash=str(new["data_hash"])[:16]))
    return what, NONE, SEP.join(parts) or NONE


_PHOTO_FIELDS: dict[str, Callable[[], str]] = {
    "caption": lambda: _("Caption"),
    "item_id": lambda: _("Item"),
}


def _photo(raw: _Raw, ctx: _Context) -> Described:
    """Photos (services/photos.py): added with their file name, item and caption; captions
    edited; linked to a finding as found or after correction."""
    info = next((v for v in (raw.new, raw.old) if isinstance(v, dict)), {})
    name = str(info.get("original_name") or ctx.photos.get(raw.entity_id) or raw.entity_id[:8])
    what = _("Photo: {name}", name=shorten(name, 30))
    if raw.action == "link" or raw.field == "finding":
        finding = info.get("finding")
        if isinstance(finding, str):
            what += SEP + ctx.finding(finding)
        old = raw.old.get("role") if isinstance(raw.old, dict) else None
        new = raw.new.get("role") if isinstance(raw.new, dict) else None
        return what, photo_role_label(old), photo_role_label(new)
    if raw.field:
        label = _PHOTO_FIELDS.get(raw.field)
        what += SEP + (label() if label else raw.field)
        if raw.field == "item_id":
            return what, ctx.title(raw.old), ctx.title(raw.new)
        return what, plain(raw.old), plain(raw.new)
    item_id = info.get("item") or info.get("item_id")
    parts = [ctx.title(item_id)] if isinstance(item_id, str) and item_id else []
    if info.get("caption"):
        parts.append(str(info["caption"]))
    summary = SEP.join(parts) or name
    if isinstance(raw.new, dict):
        return what, NONE, summary
    if isinstance(raw.old, dict):
        return what, summary, NONE
    return what, plain(raw.old), plain(raw.new)


def _generic(raw: _Raw, ctx: _Context, what: str | None = None) -> Described:
    what = what or raw.entity
    if raw.field:
        what = f"{what}{SEP}{raw.field}"
    return what, plain(raw.old), plain(raw.new)


_BY_ENTITY: dict[str, Callable[[_Raw, _Context], Described]] = {
    "inspection": _inspection,
    "answer": _answer,
    "finding": _finding,
    "signature": _signature,
    "photo": _photo,
}


def describe(raw: _Raw, ctx: _Context) -> Described:
    try:
        return _BY_ENTITY.get(raw.entity, _generic)(raw, ctx)
    except Exception:  # a row that does not fit its rules is shown raw, never dropped
        return _generic(raw, ctx)


def _revision_after(raw: _Raw, current: int | None) -> int | None:
    """The inspection revision an entry belongs to, following the log."""
    if raw.entity == "inspection" and raw.action == "create":
        return 1
    if raw.action == "amend" and isinstance(raw.new, dict):
        rev = raw.new.get("revision")
        return rev if isinstance(rev, int) else current
    return current


# -- reading -------------------------------------------------------------------------------

_ENTRIES_SQL = """
SELECT id, seq, ts, actor, action, entity, entity_id, field, old, new
FROM audit_log WHERE inspection_id = ? ORDER BY seq
"""
_RAW_KEYS = ("id", "seq", "ts", "actor", "action", "entity", "entity_id", "field", "old", "new")


@dataclass(frozen=True)
class _Source:
    received: bool = False
    device_id: str | None = None
    device: str = ""
    counted: bool = True
    hash_ok: bool = True


_HERE = _Source()


def _context(db: Database, inspection_id: str) -> tuple[str, _Context, InspectionState | None]:
    """The full inspection id and what naming the rows needs; the raw id when it is gone."""
    from inspector_app.services.errors import NotFound
    from inspector_app.services.inspections import load_inspection_state

    try:
        state = load_inspection_state(db, inspection_id)
    except NotFound:
        return inspection_id, _Context(template=None), None
    ctx = _Context(template=state.template, site_code=state.site_code, site_name=state.site_name)
    with db.raw() as con:
        ctx.findings = dict(
            con.execute(
                "SELECT id, description FROM finding WHERE inspection_id = ?", (state.id,)
            ).fetchall()
        )
        ctx.carried_from = dict(
            con.execute(
                "SELECT f.id, i.started_on FROM finding AS f "
                "JOIN inspection AS i ON i.id = f.inspection_id "
                "WHERE f.id IN (SELECT carried_from_id FROM finding WHERE inspection_id = ?)",
                (state.id,),
            ).fetchall()
        )
        ctx.photos = dict(
            con.execute(
                "SELECT id, original_name FROM photo WHERE inspection_id = ?", (state.id,)
            ).fetchall()
        )
    return state.id, ctx, state


def _raw(values: dict[str, Any]) -> _Raw:
    return _Raw(
        **{k: values.get(k) for k in _RAW_KEYS if k not in ("old", "new")},
        old=decode(values.get("old")),
        new=decode(values.get("new")),
    )


def _received(db: Database, inspection_id: str, own: set[str]) -> list[tuple[_Raw, _Source]]:
    """The entries the inspection arrived with (``sync.received``), with their device; an
    entry this folder wrote itself (it went out and came back) is shown once, as its own."""
    from inspector_app.sync import devices, received

    with db.session() as s:
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
        values = {k: entry.get(k) for k in _RAW_KEYS}
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


def _entries(db: Database, inspection_id: str, ctx: _Context) -> list[HistoryEntry]:
    """This folder's own entries and the received ones, in the order of their (UTC) times;
    entries of one source keep their own order when the times agree."""
    with db.raw() as con:
        own = [
            (_raw(dict(zip(_RAW_KEYS, row, strict=True))), _HERE)
            for row in con.execute(_ENTRIES_SQL, (inspection_id,)).fetchall()
        ]
    rows = own + _received(db, inspection_id, {r.id for r, _s in own})
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
                action=_action_label(raw),
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


def inspection_history(db: Database, inspection_id: str) -> list[HistoryEntry]:
    """Every audit entry of one inspection, oldest first, as readable rows.

    Items are named by their titles in the inspection's pinned template, findings by their
    description; values are formatted by the rules above. An id prefix is accepted, as
    elsewhere; an id the database does not know gives the entries the log has for it.
    """
    full_id, ctx, _state = _context(db, inspection_id)
    return _entries(db, full_id, ctx)


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


def load_history(db: Database, inspection_id: str) -> InspectionHistory:
    """The inspection's heading, its timeline and the (whole log's) chain status."""
    from inspector_app.services.errors import NotFound

    full_id, ctx, state = _context(db, inspection_id)
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
        entries=_entries(db, full_id, ctx),
        chain=chain_status(db),
    )
