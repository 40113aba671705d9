"""What an inspection says, apart from bookkeeping, and where two versions of it differ.

Two versions of one inspection that arrived by different histories (two laptops that loaded
the same sample data, or made the same edits) hold *the same content* when everything a
person would call the inspection agrees: its site, template, inspectors, dates, status and
revision; every answer (value, not applicable, comment, ticked evidence) by its item; every
photo (by its SHA-256, with its item, caption, file name, capture time and camera); every
finding with its corrective action, the finding it carries forward and its photos; every
frozen revision's score and frozen data; every drawn signature (signer, role, revision,
time, the drawing itself).

What is left out is bookkeeping: row ids (each device gives its own), the times a row was
created or last written, per-row revision counters, when and under which login a revision
was completed or the inspection exported, the data hash (derived from the frozen data,
compared instead), the local row ids of the site and the template version (the site is
compared as the local site it maps to, the template by its content hash), an "exported"
status against a "signed" one (exporting annotates, docs/sync.md), and the history itself.

The rule is a deny-list on purpose: a column added later counts as content until someone
decides otherwise, so a new field can cause a needless conflict but never hide a change.
Pure functions over rows in their travelling JSON form (``bundles.row_of``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Rows = Mapping[str, Any]  # an inspection bundle: "inspection" and the parts, JSON values
SourceKey = Callable[[str], Any]  # a carried finding's source id -> a key alike everywhere

BOOKKEEPING: dict[str, frozenset[str]] = {
    "inspection": frozenset(
        {
            "id",
            "created_at",
            "updated_at",
            "completed_at",
            "exported_at",
            "base_revision",
            "template_version_id",
            "site_id",  # compared as the local site it maps to ("site")
        }
    ),
    "revisions": frozenset({"id", "inspection_id", "completed_at", "completed_by", "data_hash"}),
    "answers": frozenset({"id", "inspection_id", "revision", "base_revision", "updated_at"}),
    "photos": frozenset({"id", "inspection_id", "created_at", "revision", "base_revision"}),
    "findings": frozenset(
        {
            "id",
            "inspection_id",
            "created_at",
            "updated_at",
            "revision",
            "base_revision",
            "carried_from_id",  # compared as the finding it comes from ("carried_from")
        }
    ),
    # a link is compared inside its finding, as the linked photo's SHA-256 and the role
    "finding_photos": frozenset({"finding_id", "photo_id", "created_at"}),
    "signatures": frozenset({"id", "inspection_id", "created_at", "data_hash"}),
}
# the fields of a finding that a re-inspection copies: what names a finding on every device
SOURCE_FIELDS = ("item_id", "severity", "description", "requirement", "deadline", "responsible")
JSON_TEXT = {
    "inspection": ("inspectors",),
    "answers": ("value_json", "evidence_checked"),
    "revisions": ("score_json",),
}
# exporting annotates a signed inspection; it is not another content
STATUS_ALIASES = {"exported": "signed"}


def _canon(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _loads(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _strip(part: str, row: Mapping[str, Any]) -> dict[str, Any]:
    drop = BOOKKEEPING[part]
    out = {k: v for k, v in row.items() if k not in drop}
    for name in JSON_TEXT.get(part, ()):
        if name in out:
            out[name] = _loads(out[name])
    return out


def source_key(finding: Mapping[str, Any]) -> list[Any]:
    """A finding as a re-inspection elsewhere names it: its inspection and what it says."""
    return [finding.get("inspection_id"), *(finding.get(k) for k in SOURCE_FIELDS)]


def unknown_source(finding_id: str) -> list[Any]:
    """A source finding that is not at hand: only the same id compares equal."""
    return ["?", finding_id]


def _frozen(text: Any, source: SourceKey) -> Any:
    """A revision's frozen data without the ids each device gave (site, findings, photos):
    photos by SHA-256, a finding's photos by theirs, a carried finding by its source."""
    data = _loads(text)
    try:
        photos = {p["id"]: p["sha256"] for p in data["photos"]}
        out = dict(data)
        out["site"] = {k: v for k, v in data["site"].items() if k != "id"}
        out["photos"] = sorted(
            ({k: v for k, v in p.items() if k != "id"} for p in data["photos"]), key=_canon
        )
        out["findings"] = sorted(
            (
                {
                    **{k: v for k, v in f.items() if k != "id"},
                    "carried_from": source(f["carried_from"]) if f.get("carried_from") else None,
                    "photos": sorted(
                        (
                            {
                                "photo": photos.get(link["photo"], link["photo"]),
                                "role": link["role"],
                            }
                            for link in f.get("photos", [])
                        ),
                        key=_canon,
                    ),
                }
                for f in data["findings"]
            ),
            key=_canon,
        )
    except (KeyError, TypeError, AttributeError):
        return data  # another shape: compared as it is
    return out


def content(rows: Rows, *, site: str, source: SourceKey) -> dict[str, Any]:
    """The content of an inspection bundle. ``site``: the id of the local site the
    inspection's site is; ``source``: the key of a carried finding's source (``source_key``,
    ``unknown_source``)."""
    shas = {p["id"]: p["sha256"] for p in rows["photos"]}
    links: dict[str, list[dict[str, Any]]] = {}
    for link in rows["finding_photos"]:
        links.setdefault(link["finding_id"], []).append(
            {
                **_strip("finding_photos", link),
                "photo": shas.get(link["photo_id"], link["photo_id"]),
            }
        )
    inspection = _strip("inspection", rows["inspection"])
    inspection["site"] = site
    status = inspection.get("status")
    inspection["status"] = STATUS_ALIASES.get(status, status) if isinstance(status, str) else status
    findings = [
        {
            **_strip("findings", f),
            "carried_from": source(f["carried_from_id"]) if f.get("carried_from_id") else None,
            "photos": sorted(links.get(f["id"], []), key=_canon),
        }
        for f in rows["findings"]
    ]
    revisions = {}
    for r in rows["revisions"]:
        frozen = _strip("revisions", r)
        frozen["data_json"] = _frozen(r.get("data_json"), source)
        revisions[str(r["revision"])] = frozen
    signatures = []
    for g in rows["signatures"]:
        signed = _strip("signatures", g)
        image = signed.pop("image_png", None)
        signed["image_sha256"] = hashlib.sha256(str(image).encode("ascii", "replace")).hexdigest()
        signatures.append(signed)
    return {
        "inspection": inspection,
        "answers": {a["item_id"]: _strip("answers", a) for a in rows["answers"]},
        "photos": {p["sha256"]: _strip("photos", p) for p in rows["photos"]},
        "findings": sorted(findings, key=_canon),
        "revisions": revisions,
        "signatures": sorted(signatures, key=_canon),
    }


def same_content(local: Mapping[str, Any], incoming: Mapping[str, Any]) -> bool:
    """True when two ``content()`` values agree in everything."""
    return _canon(local) == _canon(incoming)


# -- where they differ ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference. ``part``: inspection, answer, photo, finding, revision or signature;
    ``key``: which one (item id, SHA-256, revision number; for a finding or a signature, the
    record on either side); ``field``: the column that differs, or "" when the record is on
    one side only (``local`` or ``incoming`` is then None)."""

    part: str
    key: str
    field: str
    local: Any
    incoming: Any


EMPTY_ANSWER: dict[str, Any] = {
    "value_json": None,
    "not_applicable": False,
    "comment": None,
    "evidence_checked": [],
}


def _fields(
    part: str, key: str, mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> list[Change]:
    return [
        Change(part, key, name, mine.get(name), theirs.get(name))
        for name in sorted(set(mine) | set(theirs))
        if _canon(mine.get(name)) != _canon(theirs.get(name))
    ]


def _keyed(part: str, mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[Change]:
    out: list[Change] = []
    for key in sorted(set(mine) | set(theirs)):
        a, b = mine.get(key), theirs.get(key)
        if a is None or b is None:
            out.append(Change(part, key, "", a, b))
        else:
            out.extend(_fields(part, key, a, b))
    return out


def _unmatched(
    part: str,
    mine: Sequence[Mapping[str, Any]],
    theirs: Sequence[Mapping[str, Any]],
    pair_key: Callable[[Mapping[str, Any]], Any],
    label: Callable[[Mapping[str, Any]], str],
) -> list[Change]:
    """Records without a key of their own: equal ones cancel out; the rest are paired by
    ``pair_key`` (then compared field by field) or listed as on one side only."""
    rest = [dict(r) for r in theirs]
    left = []
    for row in mine:
        twin = next((r for r in rest if _canon(r) == _canon(row)), None)
        if twin is None:
            left.append(row)
        else:
            rest.remove(twin)
    out: list[Change] = []
    for row in left:
        twin = next((r for r in rest if _canon(pair_key(r)) == _canon(pair_key(row))), None)
        if twin is None:
            out.append(Change(part, label(row), "", row, None))
        else:
            rest.remove(twin)
            out.extend(_fields(part, label(row), row, twin))
    out.extend(Change(part, label(r), "", None, r) for r in rest)
    return out


def _answers(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[Change]:
    out: list[Change] = []
    for item in sorted(set(mine) | set(theirs)):
        a = {**EMPTY_ANSWER, **mine.get(item, {})}
        b = {**EMPTY_ANSWER, **theirs.get(item, {})}
        out.extend(c for c in _fields("answer", item, a, b) if c.field != "item_id")
    return out


def _revisions(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[Change]:
    out: list[Change] = []
    for key in sorted(set(mine) | set(theirs), key=lambda k: int(k) if k.isdigit() else 0):
        a, b = mine.get(key), theirs.get(key)
        if a is None or b is None:
            out.append(Change("revision", key, "", a, b))
            continue
        for change in _fields("revision", key, a, b):
            if change.field == "data_json":
                parts = _data_parts(change.local, change.incoming)
                out.append(Change("revision", key, "data_json", parts, parts))
            else:
                out.append(change)
    return out


def _data_parts(mine: Any, theirs: Any) -> list[str]:
    """Which parts of two frozen data differ (answers, findings, photos, …)."""
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        return ["*"]
    return [
        k for k in sorted(set(mine) | set(theirs)) if _canon(mine.get(k)) != _canon(theirs.get(k))
    ]


def differences(local: Mapping[str, Any], incoming: Mapping[str, Any]) -> list[Change]:
    """Where two ``content()`` values differ, part by part: the inspection's own fields,
    answers by item, photos by SHA-256, findings and signatures paired where they can be,
    frozen revisions by number."""
    out = _fields("inspection", "", local["inspection"], incoming["inspection"])
    out += _answers(local["answers"], incoming["answers"])
    out += _keyed("photo", local["photos"], incoming["photos"])
    out += _unmatched(
        "finding",
        local["findings"],
        incoming["findings"],
        lambda f: [f.get("item_id"), f.get("description")],
        lambda f: str(f.get("description") or ""),
    )
    out += _revisions(local["revisions"], incoming["revisions"])
    out += _unmatched(
        "signature",
        local["signatures"],
        incoming["signatures"],
        lambda g: [g.get("inspection_revision"), g.get("role"), g.get("signer_name")],
        lambda g: str(g.get("signer_name") or ""),
    )
    return out


def sources_of(bundles: Iterable[Rows]) -> dict[str, list[Any]]:
    """Finding id -> ``source_key`` for every finding of these bundles."""
    return {f["id"]: source_key(f) for b in bundles for f in b["findings"]}
