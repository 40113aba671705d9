"""A package conflict read field by field, and several decided at once.

``conflict_differences`` compares the local version of a conflicted record with the
incoming one kept beside it (``sync.compare`` for inspections: the content, bookkeeping left
out) and says, per changed field, what each side holds, as people read it: answers by the
item's title in the pinned template, values as the checklist shows them, statuses, grades,
severities and roles by their labels, times in the display zone.

``resolve_conflicts`` takes one decision for several (or all open) conflicts, each decided
and audited on its own (``services.sync.resolve_conflict``): one that cannot be taken (a
frozen revision would be dropped, its visit is undecided) is reported, the others go ahead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from inspector_app import timefmt
from inspector_app.i18n import _
from inspector_app.presenters.labels import (
    photo_role_label,
    role_label,
    site_type_label,
    status_label,
)
from inspector_app.presenters.text import NONE, SEP, plain, shorten, yes_no
from inspector_app.presenters.values import (
    ANSWER_PARTS,
    FINDING_FIELDS,
    Naming,
    answer_value,
    evidence_value,
    finding_value,
    revision_value,
)
from inspector_app.services.changes import Changes
from inspector_app.services.errors import ServiceError
from inspector_app.store.repo import sync as repo
from inspector_app.store.repo import sync_records as records
from inspector_app.store.repo import templates
from inspector_app.sync import bundles, compare, merge, wire
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.domain.packages import Conflict
    from inspector_app.store.db import Tx
    from inspector_app.store.models import Inspection


@dataclass(frozen=True)
class Difference:
    """One changed field, readable: what it is, what the local and the incoming version hold
    (``NONE`` where a side has nothing). ``part``, ``key`` and ``field`` say it for machines."""

    what: str
    local: str
    incoming: str
    part: str
    key: str = ""
    field: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def conflict_differences(ws: Workspace, conflict_id: str) -> list[Difference]:
    """What differs between the local version of a conflict's record and the incoming one."""
    from inspector_app.services.sync import find_conflict

    with ws.db.session() as s:
        conflict = find_conflict(s, conflict_id)
        incoming = dict(conflict.incoming)  # decoded by the store; the differences take it apart
        if conflict.entity == "site":
            return _site_differences(s, conflict, incoming)
        return _inspection_differences(s, conflict, incoming)


def _inspection_differences(
    s: Tx, conflict: Conflict, incoming: dict[str, Any]
) -> list[Difference]:
    kept = incoming.pop("_local", None) or {}
    local = records.inspection(s, conflict.entity_id)
    if local is None:
        head = incoming.get("inspection") or {}
        return [
            Difference(
                _("Inspection"),
                _("not here yet"),
                SEP.join(
                    [str(head.get("started_on", "")), status_label(str(head.get("status", "")))]
                ),
                "inspection",
            )
        ]
    sources = kept.get("sources") if isinstance(kept.get("sources"), dict) else {}
    try:
        mine = bundles.local_content(s, local)
        theirs = compare.content(
            wire.as_rows(incoming, kept.get("format_version", 1)),
            site=str(kept.get("site_id") or local.site_id),
            source=bundles.local_sources(s, sources),
        )
        changes = compare.differences(mine, theirs)
    except (
        KeyError,
        TypeError,
        AttributeError,
        ValueError,
    ):  # pragma: no cover - checked on import
        return [Difference(_("Inspection"), NONE, _("cannot be compared"), "inspection")]
    reader = _Reader(s, local)
    return [reader.read(c) for c in changes]


class _Reader:
    """Turns ``compare.Change`` into a ``Difference`` for one inspection."""

    def __init__(self, s: Tx, local: Inspection):
        from inspector_app.domain.checklists.loader import template_from_json

        self.s = s
        tv = templates.version(s, local.template_version_id)
        template = template_from_json(tv.canonical_json) if tv is not None else None
        site = records.site(s, local.site_id)
        self.naming = Naming(
            template=template,
            site_code=site.code if site else "",
            site_name=site.name if site else "",
        )

    def read(self, change: compare.Change) -> Difference:
        how: Callable[[compare.Change], tuple[str, str, str]] = {
            "inspection": self._inspection,
            "answer": self._answer,
            "photo": self._photo,
            "finding": self._finding,
            "revision": self._revision,
            "signature": self._signature,
        }.get(change.part, self._generic)
        try:
            what, mine, theirs = how(change)
        except (KeyError, TypeError, AttributeError, ValueError):
            what, mine, theirs = self._generic(change)
        return Difference(what, mine, theirs, change.part, change.key, change.field)

    # -- per part --------------------------------------------------------------------------
    def _generic(self, c: compare.Change) -> tuple[str, str, str]:
        what = SEP.join(p for p in (c.part, c.key, c.field) if p)
        return what, plain(c.local), plain(c.incoming)

    def _inspection(self, c: compare.Change) -> tuple[str, str, str]:
        labels: dict[str, Callable[[], str]] = {
            "inspectors": lambda: _("Inspectors"),
            "started_on": lambda: _("Start date"),
            "ended_on": lambda: _("End date"),
            "status": lambda: _("Status"),
            "revision": lambda: _("Revision"),
            "amend_reason": lambda: _("Reason for the amendment"),
            "score_total": lambda: _("Score"),
            "grade": lambda: _("Grade"),
            "provisional": lambda: _("Provisional"),
            "vetoed": lambda: _("Veto triggered"),
            "site": lambda: _("Site"),
            "template_id": lambda: _("Template"),
            "template_version": lambda: _("Template version"),
            "template_hash": lambda: _("Template content"),
            "previous_inspection_id": lambda: _("Follows the visit"),
        }
        label = labels.get(c.field)
        what = f"{_('Inspection')}{SEP}{label() if label else c.field}"
        return (
            what,
            self._inspection_value(c.field, c.local),
            self._inspection_value(c.field, c.incoming),
        )

    def _inspection_value(self, name: str, value: Any) -> str:
        if value is None:
            return NONE
        if name == "status":
            return status_label(str(value))
        if name == "revision":
            return revision_value(value)
        if name in ("provisional", "vetoed"):
            return yes_no(bool(value))
        if name == "grade":
            return self._grade(value)
        if name == "site":
            site = records.site(self.s, value)
            return f"{site.name}（{site.code}）" if site else str(value)[:8]
        if name == "template_hash":
            return str(value)[:12]
        if name == "score_total" and isinstance(value, (int, float)):
            return _("{points:g} points", points=value)
        if name == "previous_inspection_id":
            return self._visit(value)
        return plain(value)

    def _grade(self, grade: Any) -> str:
        from inspector_app.services.inspections import grade_label

        template = self.naming.template
        return grade_label(template, str(grade)) if template is not None else plain(grade)

    def _visit(self, inspection_id: Any) -> str:
        visit = (
            records.inspection(self.s, inspection_id) if isinstance(inspection_id, str) else None
        )
        if visit is None:
            return _("an inspection not here ({id})", id=str(inspection_id)[:8])
        return _("the inspection of {date}", date=visit.started_on.isoformat())

    def _answer(self, c: compare.Change) -> tuple[str, str, str]:
        part = c.field.removesuffix("_json")
        label = ANSWER_PARTS.get(part)
        what = f"{self.naming.title(c.key)}{SEP}{label() if label else part}"
        return (
            what,
            self._answer_value(c.key, part, c.local),
            self._answer_value(c.key, part, c.incoming),
        )

    def _answer_value(self, item_id: str, part: str, value: Any) -> str:
        item = self.naming.item(item_id)
        if part == "value":
            return answer_value(item, value, veto=self.naming.is_veto(item_id))
        if part == "not_applicable":
            return yes_no(bool(value))
        if part == "evidence_checked":
            return evidence_value(item, value)
        return plain(value)

    def _photo(self, c: compare.Change) -> tuple[str, str, str]:
        row = c.local if isinstance(c.local, dict) else c.incoming
        name = (row or {}).get("original_name") if isinstance(row, dict) else None
        what = _("Photo: {name}", name=shorten(str(name or c.key[:12]), 30))
        if not c.field:
            return what, self._photo_summary(c.local), self._photo_summary(c.incoming)
        labels: dict[str, Callable[[], str]] = {
            "caption": lambda: _("Caption"),
            "item_id": lambda: _("Item"),
            "original_name": lambda: _("File name"),
            "captured_at": lambda: _("Taken"),
            "camera": lambda: _("Camera"),
        }
        label = labels.get(c.field)
        what += SEP + (label() if label else c.field)
        if c.field == "item_id":
            return what, self.naming.title(c.local), self.naming.title(c.incoming)
        if c.field == "captured_at":
            return what, _time(c.local), _time(c.incoming)
        return what, plain(c.local), plain(c.incoming)

    def _photo_summary(self, row: Any) -> str:
        if not isinstance(row, dict):
            return NONE
        parts = [self.naming.title(row["item_id"])] if row.get("item_id") else []
        if row.get("caption"):
            parts.append(str(row["caption"]))
        return SEP.join(parts) or _("a photo")

    def _finding(self, c: compare.Change) -> tuple[str, str, str]:
        what = _("Finding: {title}", title=shorten(c.key or NONE, 16))
        if not c.field:
            return what, self._finding_summary(c.local), self._finding_summary(c.incoming)
        if c.field == "carried_from":
            return (
                f"{what}{SEP}{_('Carried from')}",
                self._source(c.local),
                self._source(c.incoming),
            )
        if c.field == "photos":
            return f"{what}{SEP}{_('Photos')}", _links(c.local), _links(c.incoming)
        label = FINDING_FIELDS.get(c.field)
        what += SEP + (label() if label else c.field)
        return (
            what,
            finding_value(c.field, c.local, self.naming),
            finding_value(c.field, c.incoming, self.naming),
        )

    def _finding_summary(self, row: Any) -> str:
        if not isinstance(row, dict):
            return NONE
        parts = [finding_value("severity", row.get("severity"), self.naming)]
        for name in ("item_id", "deadline", "responsible", "status"):
            if row.get(name):
                parts.append(finding_value(name, row[name], self.naming))
        return SEP.join(parts)

    def _source(self, key: Any) -> str:
        if not isinstance(key, list) or not key:
            return NONE
        if key[0] == "?":
            return _("a finding not here")
        date, at = self._visit_date(key[0]), compare.SOURCE_FIELDS.index("description") + 1
        said = key[at] if len(key) > at and isinstance(key[at], str) else ""  # as it reads there
        if not said:
            return _("from the inspection of {date}", date=date)
        return _("from the inspection of {date}: {text}", date=date, text=shorten(said, 40))

    def _visit_date(self, inspection_id: Any) -> str:
        visit = (
            records.inspection(self.s, inspection_id) if isinstance(inspection_id, str) else None
        )
        return visit.started_on.isoformat() if visit else str(inspection_id)[:8]

    def _revision(self, c: compare.Change) -> tuple[str, str, str]:
        what = _("Revision {rev}", rev=c.key)
        if not c.field:
            return what, self._frozen_summary(c.local), self._frozen_summary(c.incoming)
        if c.field == "score_json":
            return f"{what}{SEP}{_('Score')}", self._score(c.local), self._score(c.incoming)
        if c.field == "data_json":
            parts = "、".join(_data_part(p) for p in (c.local or []))
            text = _("differs in: {parts}", parts=parts or NONE)
            return f"{what}{SEP}{_('Frozen data')}", text, text
        if c.field == "amend_reason":
            return f"{what}{SEP}{_('Reason for the amendment')}", plain(c.local), plain(c.incoming)
        return self._generic(c)

    def _score(self, score: Any) -> str:
        if not isinstance(score, dict):
            return plain(score)
        total = score.get("total")
        parts = [_("{points:g} points", points=total) if isinstance(total, (int, float)) else NONE]
        if score.get("grade"):
            parts.append(self._grade(score["grade"]))
        return SEP.join(parts)

    def _frozen_summary(self, row: Any) -> str:
        if not isinstance(row, dict):
            return NONE
        return self._score(row.get("score_json"))

    def _signature(self, c: compare.Change) -> tuple[str, str, str]:
        row = c.local if isinstance(c.local, dict) else c.incoming
        role = (row or {}).get("role") if isinstance(row, dict) else None
        what = _("Signature: {name} ({role})", name=c.key or NONE, role=role_label(role))
        if not c.field:
            return what, self._signature_summary(c.local), self._signature_summary(c.incoming)
        if c.field == "signed_at":
            return f"{what}{SEP}{_('Signed at')}", _time(c.local), _time(c.incoming)
        if c.field == "image_sha256":
            return (
                f"{what}{SEP}{_('Drawing')}",
                _("drawing {sha}", sha=str(c.local)[:8]),
                _("drawing {sha}", sha=str(c.incoming)[:8]),
            )
        if c.field == "inspection_revision":
            return what, revision_value(c.local), revision_value(c.incoming)
        if c.field == "role":
            return what, role_label(c.local), role_label(c.incoming)
        return what, plain(c.local), plain(c.incoming)

    def _signature_summary(self, row: Any) -> str:
        if not isinstance(row, dict):
            return NONE
        return SEP.join(
            [revision_value(row.get("inspection_revision")), _time(row.get("signed_at"))]
        )


def _time(value: Any) -> str:
    """An instant as travelled (ISO 8601) in the display zone."""
    if not isinstance(value, str):
        return plain(value)
    try:
        return timefmt.format_instant(dt.datetime.fromisoformat(value))
    except ValueError:
        return value


def _links(value: Any) -> str:
    """A finding's photos: how many in each role."""
    if not isinstance(value, list) or not value:
        return NONE
    counts: dict[str, int] = {}
    for link in value:
        role = link.get("role") if isinstance(link, dict) else None
        counts[str(role)] = counts.get(str(role), 0) + 1
    return "、".join(
        _("{n} ({role})", n=n, role=photo_role_label(role)) for role, n in counts.items()
    )


def _data_part(name: str) -> str:
    labels: dict[str, Callable[[], str]] = {
        "answers": lambda: _("answers"),
        "findings": lambda: _("findings"),
        "photos": lambda: _("photos"),
        "inspectors": lambda: _("inspectors"),
        "site": lambda: _("site"),
        "started_on": lambda: _("start date"),
        "ended_on": lambda: _("end date"),
        "template": lambda: _("template"),
    }
    label = labels.get(name)
    return label() if label else name


_SITE_FIELDS: dict[str, Callable[[], str]] = {
    "code": lambda: _("Code"),
    "name": lambda: _("Name"),
    "name_en": lambda: _("English name"),
    "site_type": lambda: _("Type"),
    "district": lambda: _("District"),
    "host_unit": lambda: _("Host unit"),
    "address": lambda: _("Address"),
    "contact_name": lambda: _("Contact"),
    "contact_phone": lambda: _("Phone"),
    "is_sample": lambda: _("Sample data"),
}


def _site_differences(s: Tx, conflict: Conflict, incoming: dict[str, Any]) -> list[Difference]:
    site = records.site(s, conflict.entity_id)
    mine = bundles.row_of(site) if site is not None else {}
    out = []
    for name in sorted(set(mine) | set(incoming)):
        if name in merge.SITE_VOLATILE or mine.get(name) == incoming.get(name):
            continue
        label = _SITE_FIELDS.get(name)
        what = f"{_('Site')}{SEP}{label() if label else name}"

        def value(v: Any, name: str = name) -> str:
            if name == "site_type" and isinstance(v, str):
                return site_type_label(v)
            if name == "is_sample":
                return yes_no(bool(v))
            return plain(v)

        out.append(
            Difference(what, value(mine.get(name)), value(incoming.get(name)), "site", "", name)
        )
    return out


# -- several at once ------------------------------------------------------------------------


@dataclass
class BulkResult:
    """What ``resolve_conflicts`` did: the decisions taken (as ``resolve_conflict`` returns
    them) and the conflicts it could not decide, with the reason."""

    done: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (conflict id, why)

    def changes(self) -> Changes:
        """The inspections and sites the decisions rewrote, and the conflict list."""
        taken = {
            k: [d["entity_id"] for d in self.done if d["entity"] == k]
            for k in ("inspection", "site")
        }
        return Changes.of(inspections=taken["inspection"], sites=taken["site"], conflicts=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "refused": [{"id": cid, "reason": why} for cid, why in self.refused],
        }


def open_conflict_ids(ws: Workspace) -> list[str]:
    """Every open conflict, in the order they were kept."""
    with ws.db.session() as s:
        return repo.open_conflict_ids(s)


def resolve_conflicts(
    ws: Workspace,
    conflict_ids: Sequence[str] | None,
    *,
    keep: str,
    actor: str,
) -> BulkResult:
    """Take the same decision (``keep``: local or incoming) for several conflicts, or every
    open one (``conflict_ids`` None). Each is decided and audited on its own, in the order
    they were kept; one that must wait for another (a re-inspection for the visit it follows)
    is tried again once the others are decided. Returns what was done and what was refused."""
    from inspector_app.services.sync import resolve_conflict

    pending = open_conflict_ids(ws) if conflict_ids is None else list(dict.fromkeys(conflict_ids))
    result = BulkResult()
    while pending:
        failed: list[tuple[str, str]] = []
        for cid in pending:
            try:
                result.done.append(resolve_conflict(ws, cid, keep=keep, actor=actor))
            except ServiceError as exc:
                failed.append((cid, str(exc)))
        if len(failed) == len(pending):  # nothing moved: the rest cannot be decided so
            result.refused = failed
            break
        pending = [cid for cid, _why in failed]
    return result
