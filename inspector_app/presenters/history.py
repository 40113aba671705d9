"""The sentences of an inspection's timeline: for one audit entry, a translated action, what
was changed (named by the item's title in the pinned template, the raw id when the template
does not know it) and the old and new values formatted for people. One small rule per kind
of entry; ``services.history`` reads the entries and puts the rows together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inspector_app.i18n import CURRENT, Translator
from inspector_app.presenters.labels import photo_role_label, role_label, severity_label
from inspector_app.presenters.text import NONE, SEP, labelled, plain, shorten, yes_no
from inspector_app.presenters.values import (
    ANSWER_PARTS,
    FINDING_FIELDS,
    Naming,
    answer_value,
    evidence_value,
    finding_value,
    revision_value,
    status_value,
)


@dataclass(frozen=True)
class Raw:
    """One audit entry as the log holds it, its values decoded from JSON."""

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


def action_label(raw: Raw, t: Translator = CURRENT) -> str:
    if raw.entity == "photo":
        photo = {
            "create": t.tr("Add photo"),
            "delete": t.tr("Remove photo"),
            "link": t.tr("Link photo"),
        }
        if raw.action in photo:
            return photo[raw.action]
    labels = {
        "create": t.tr("Create"),
        "answer": t.tr("Fill in"),
        "complete": t.tr("Complete"),
        "amend": t.tr("Amend"),
        "sign": t.tr("Sign"),
        "export": t.tr("Export"),
        "status": t.tr("Status"),
        "carry_forward": t.tr("Carry forward"),
        "update": t.tr("Edit"),
        "report_signed": t.tr("Sign the report"),
    }
    return labels.get(raw.action, raw.action)


def _inspection(raw: Raw, ctx: Naming, t: Translator) -> Described:
    what = t.tr("Inspection")
    if raw.action == "create" and isinstance(raw.new, dict):
        return what, NONE, _created(raw.new, ctx, t)
    if raw.action == "report_signed" and isinstance(raw.new, dict):
        return _report_signed(raw.new, t)
    if raw.field == "status":
        return (
            f"{what}{SEP}{t.tr('Status')}",
            status_value(raw.old, t),
            status_value(raw.new, t),
        )
    if raw.field == "revision":
        return (
            f"{what}{SEP}{t.tr('Revision')}",
            revision_value(raw.old, t),
            revision_value(raw.new, t),
        )
    return _generic(raw, ctx, t)


def _report_signed(new: dict[str, Any], t: Translator) -> Described:
    """The PDF report of a revision signed with a key (services/report_signing.py)."""
    what = t.tr("Report {number}", number=plain(new.get("report_number"), t))
    if new.get("revision") is not None:
        what += SEP + t.tr("Revision {rev}", rev=new["revision"])
    parts = [t.tr("digitally signed by {name}", name=plain(new.get("signer"), t))]
    if new.get("self_signed"):
        parts.append(t.tr("self-signed key, not issued by headquarters"))
    if new.get("file"):
        parts.append(plain(new["file"], t))
    if new.get("sha256"):
        parts.append(t.tr("file SHA-256 {hash}", hash=str(new["sha256"])[:16]))
    return what, NONE, SEP.join(parts)


def _created(new: dict[str, Any], ctx: Naming, t: Translator) -> str:
    site = str(new.get("site") or "")
    if site and site == ctx.site_code and ctx.site_name:
        site = f"{ctx.site_name}（{site}）"
    template = str(new.get("template") or "")
    tpl = ctx.template
    if tpl is not None and template == f"{tpl.id}@{tpl.version}":
        template = f"{t.pick(tpl.title)} {tpl.version}"
    parts = [site, template, plain(new.get("inspectors"), t), str(new.get("started_on") or "")]
    return SEP.join(p for p in parts if p and p != NONE)


def _answer(raw: Raw, ctx: Naming, t: Translator) -> Described:
    item_id, _dot, part = (raw.field or "").rpartition(".")  # item ids may contain dots
    if not item_id:
        return _generic(raw, ctx, t)
    label = ANSWER_PARTS.get(part)
    what = f"{ctx.title(item_id, t)}{SEP}{label(t) if label else part}"
    item = ctx.item(item_id)
    if part == "value":
        veto = ctx.is_veto(item_id)
        return (
            what,
            answer_value(item, raw.old, veto=veto, t=t),
            answer_value(item, raw.new, veto=veto, t=t),
        )
    if part == "not_applicable":
        return what, yes_no(bool(raw.old), t), yes_no(bool(raw.new), t)
    if part == "evidence_checked":
        return what, evidence_value(item, raw.old, t), evidence_value(item, raw.new, t)
    return what, plain(raw.old, t), plain(raw.new, t)


def _finding_summary(new: dict[str, Any], ctx: Naming, t: Translator) -> str:
    parts = [severity_label(new.get("severity"), t)]
    for key, name in (
        ("item", "item_id"),
        ("requirement", "requirement"),
        ("deadline", "deadline"),
        ("responsible", "responsible"),
    ):
        if new.get(key):
            value = finding_value(key, new[key], ctx, t)
            parts.append(labelled(FINDING_FIELDS[name](t), value, t))
    return SEP.join(parts)


def _finding(raw: Raw, ctx: Naming, t: Translator) -> Described:
    what = ctx.finding(raw.entity_id, raw.new, t)
    if raw.action == "create" and isinstance(raw.new, dict):
        return what, NONE, _finding_summary(raw.new, ctx, t)
    if raw.action == "carry_forward":
        source = ctx.carried_from.get(str(raw.new))
        new = (
            t.tr("from the inspection of {date}", date=source)
            if source
            else t.tr("from an earlier inspection")
        )
        return what, NONE, new
    if raw.field in FINDING_FIELDS:
        return (
            f"{what}{SEP}{FINDING_FIELDS[raw.field](t)}",
            finding_value(raw.field, raw.old, ctx, t),
            finding_value(raw.field, raw.new, ctx, t),
        )
    return _generic(raw, ctx, t, what)


def _signature(raw: Raw, ctx: Naming, t: Translator) -> Described:
    new = raw.new if isinstance(raw.new, dict) else {}
    if raw.action != "sign" or not new:
        return _generic(raw, ctx, t, t.tr("Signature"))
    what = t.tr(
        "Signature: {name} ({role})",
        name=plain(new.get("signer"), t),
        role=role_label(new.get("role"), t),
    )
    parts = []
    if new.get("revision") is not None:
        parts.append(t.tr("Revision {rev}", rev=new["revision"]))
    if new.get("data_hash"):
        parts.append(t.tr("data hash {hash}", hash=str(new["data_hash"])[:16]))
    return what, NONE, SEP.join(parts) or NONE


_PHOTO_FIELDS: dict[str, Callable[[Translator], str]] = {
    "caption": lambda t: t.tr("Caption"),
    "item_id": lambda t: t.tr("Item"),
}


def _photo(raw: Raw, ctx: Naming, t: Translator) -> Described:
    """Photos (services/photos.py): added with their file name, item and caption; captions
    edited; linked to a finding as found or after correction."""
    info = next((v for v in (raw.new, raw.old) if isinstance(v, dict)), {})
    name = str(info.get("original_name") or ctx.photos.get(raw.entity_id) or raw.entity_id[:8])
    what = t.tr("Photo: {name}", name=shorten(name, 30))
    if raw.action == "link" or raw.field == "finding":
        finding = info.get("finding")
        if isinstance(finding, str):
            what += SEP + ctx.finding(finding, t=t)
        old = raw.old.get("role") if isinstance(raw.old, dict) else None
        new = raw.new.get("role") if isinstance(raw.new, dict) else None
        return what, photo_role_label(old, t), photo_role_label(new, t)
    if raw.field:
        label = _PHOTO_FIELDS.get(raw.field)
        what += SEP + (label(t) if label else raw.field)
        if raw.field == "item_id":
            return what, ctx.title(raw.old, t), ctx.title(raw.new, t)
        return what, plain(raw.old, t), plain(raw.new, t)
    item_id = info.get("item") or info.get("item_id")
    parts = [ctx.title(item_id, t)] if isinstance(item_id, str) and item_id else []
    if info.get("caption"):
        parts.append(str(info["caption"]))
    summary = SEP.join(parts) or name
    if isinstance(raw.new, dict):
        return what, NONE, summary
    if isinstance(raw.old, dict):
        return what, summary, NONE
    return what, plain(raw.old, t), plain(raw.new, t)


def _generic(raw: Raw, ctx: Naming, t: Translator, what: str | None = None) -> Described:
    what = what or raw.entity
    if raw.field:
        what = f"{what}{SEP}{raw.field}"
    return what, plain(raw.old, t), plain(raw.new, t)


_BY_ENTITY: dict[str, Callable[[Raw, Naming, Translator], Described]] = {
    "inspection": _inspection,
    "answer": _answer,
    "finding": _finding,
    "signature": _signature,
    "photo": _photo,
}


def describe(raw: Raw, ctx: Naming, t: Translator = CURRENT) -> Described:
    """What an entry changed and its old and new values, in words (not yet shortened)."""
    try:
        return _BY_ENTITY.get(raw.entity, _generic)(raw, ctx, t)
    except Exception:  # a row that does not fit its rules is shown raw, never dropped
        return _generic(raw, ctx, t)
