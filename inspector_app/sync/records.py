"""What a package carries (``data/records.json``) and how it merges into a data folder.

The unit of exchange is an inspection with everything that belongs to it (its frozen
revisions, answers, photos, findings and their photo links, drawn signatures) and its
history: the audit entries written for it, in order, on every device that edited it. The
sites and template versions those inspections use travel beside them (every site, so a
package also sets up an empty laptop). Rows travel with all their columns, in JSON:
dates and times as ISO 8601, binary as base64.

Merging one inspection (ARCHITECTURE invariant 6, RELIABILITY B7/B8) is decided by the
histories, which only grow, one audit entry per edit:

- not here: added;
- the same history: unchanged;
- the local history is a proper prefix of the incoming one: fast-forward, the local rows
  are replaced by the incoming ones;
- the incoming history is a prefix of the local one: the local copy is newer, kept;
- anything else (both sides edited since they last agreed): a conflict. The local rows stay
  as they are and the incoming version is kept whole in ``sync_conflict`` for a person.

A site is matched by id, then by code (each laptop that imported the same site list gave the
site its own id); a differing site is never overwritten, the incoming one is kept as a
conflict. A template version is matched by its content hash, and its content must parse and
hash to it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, literal_column
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, select

from inspector_app import limits, timefmt
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.domain.checklists.scoring import (
    Answer,
    AnswerError,
    normalize_answer,
    score_inspection,
)
from inspector_app.domain.vocab import PhotoRole, SignatureRole
from inspector_app.i18n import _
from inspector_app.store import audit
from inspector_app.store.models import (
    AnswerRecord,
    AuditEntry,
    Finding,
    FindingPhoto,
    FindingSeverity,
    FindingStatus,
    Inspection,
    InspectionRevision,
    InspectionStatus,
    Photo,
    ReceivedHistory,
    Signature,
    Site,
    SyncConflict,
    TemplateVersion,
)
from inspector_app.sync import compare, received
from inspector_app.sync.package import PackageRejected, canonical_json, has_surrogates

RECORDS_MEMBER = "data/records.json"
RECORDS_FORMAT = 1

# the parts of an inspection, in the order they are written (foreign keys point backwards)
PARTS: tuple[tuple[str, type[SQLModel]], ...] = (
    ("revisions", InspectionRevision),
    ("answers", AnswerRecord),
    ("photos", Photo),
    ("findings", Finding),
    ("finding_photos", FindingPhoto),
    ("signatures", Signature),
)
# parts whose rows may disappear in a later version (answers cleared, photos removed, links
# changed); a frozen revision, a finding or a signature never does
REMOVABLE = ("finding_photos", "photos", "answers")
HISTORY_KEYS = (*audit.FIELDS, "prev_hash", "hash")  # an audit entry as it travels
MEDIA_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
SIGNATURE_PNG_MAX = 2 * 2**20
_CHOICES: dict[tuple[str, str], frozenset[str]] = {
    ("inspection", "status"): frozenset(s.value for s in InspectionStatus),
    ("finding", "severity"): frozenset(s.value for s in FindingSeverity),
    ("finding", "status"): frozenset(s.value for s in FindingStatus),
    ("finding_photo", "role"): frozenset(PhotoRole),
    ("signature", "role"): frozenset(SignatureRole),
    ("photo", "media_type"): frozenset(MEDIA_TYPES),
}
_JSON_TEXT = {
    ("inspection", "inspectors"),
    ("answer", "value_json"),
    ("answer", "evidence_checked"),
    ("inspection_revision", "score_json"),
    ("inspection_revision", "data_json"),
}
_SHA_COLUMNS = {"content_hash", "template_hash", "data_hash", "sha256"}
# free texts without a column length: the caps the services enforce (limits, docs/design.md)
_TEXT_CAPS: dict[tuple[str, str], int] = {
    ("answer", "comment"): limits.COMMENT,
    ("finding", "description"): limits.FINDING_TEXT,
    ("finding", "requirement"): limits.FINDING_TEXT,
    ("finding", "resolution_note"): limits.FINDING_TEXT,
    ("finding", "responsible"): limits.NAME,
    ("signature", "signer_name"): limits.NAME,
    ("photo", "caption"): limits.CAPTION,
    ("photo", "original_name"): limits.FILE_NAME,
    ("photo", "camera"): limits.CAMERA,
    ("inspection", "amend_reason"): limits.REASON,
    ("inspection_revision", "amend_reason"): limits.REASON,
    ("inspection_revision", "completed_by"): limits.ACTOR,
    ("template_version", "title_zh"): limits.TEMPLATE_TEXT,
    ("template_version", "title_en"): limits.TEMPLATE_TEXT,
    ("template_version", "source_file"): limits.FILE_NAME,
    ("template_version", "canonical_json"): limits.TEMPLATE_BYTES,
}


# -- rows as JSON -------------------------------------------------------------------------------


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _kind(column: Any) -> str:
    return type(column.type).__name__


def row_of(obj: SQLModel) -> dict[str, Any]:
    """A record's columns as JSON values."""
    out: dict[str, Any] = {}
    for column in _table(type(obj)).columns:
        value = getattr(obj, column.name)
        kind = _kind(column)
        if value is None:
            out[column.name] = None
        elif kind in ("UTCDateTime", "Date"):
            out[column.name] = value.isoformat()
        elif kind == "LargeBinary":
            out[column.name] = base64.b64encode(value).decode("ascii")
        else:
            out[column.name] = value
    return out


def bundle_hash(bundle: dict[str, Any]) -> str:
    """SHA-256 over an inspection's rows (its history and this hash left out)."""
    body = {k: v for k, v in bundle.items() if k not in ("history", "content_hash")}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _history_entry(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in HISTORY_KEYS}


def history_of(s: Session, inspection_id: str) -> list[dict[str, Any]]:
    """The inspection's history: the history it last arrived with (in that order, which may
    hold entries first written here), then the entries of this folder's own log since."""
    received = s.exec(
        select(ReceivedHistory)
        .where(ReceivedHistory.inspection_id == inspection_id, ReceivedHistory.lineage)
        .order_by(ReceivedHistory.position)  # type: ignore[arg-type]
    ).all()
    own = s.exec(
        select(AuditEntry).where(AuditEntry.inspection_id == inspection_id).order_by(AuditEntry.seq)  # type: ignore[arg-type]
    ).all()
    seen = {r.id for r in received}
    mark = max((r.local_seq for r in received), default=0)
    return [json.loads(r.entry_json) for r in received] + [
        _history_entry(r) for r in own if r.id not in seen and (r.seq or 0) > mark
    ]


def inspection_bundle(s: Session, insp: Inspection) -> dict[str, Any]:
    """One inspection with everything that belongs to it, as it travels."""
    finding_ids = list(s.exec(select(Finding.id).where(Finding.inspection_id == insp.id)).all())
    parts: dict[str, list[dict[str, Any]]] = {}
    for name, model in PARTS:
        # in the order they were written here (rowid): the importer writes them in the same
        # order, so whatever is listed "in the order added" (photos of one batch share a
        # second) lists alike on both sides
        rowid = literal_column(f"{_table(model).name}.rowid")
        if model is FindingPhoto:
            where = FindingPhoto.finding_id.in_(finding_ids)  # type: ignore[attr-defined]
        else:
            where = model.inspection_id == insp.id  # type: ignore[attr-defined]
        rows = s.exec(select(model).where(where).order_by(rowid)).all()
        parts[name] = [row_of(r) for r in rows]
    bundle: dict[str, Any] = {"inspection": row_of(insp), **parts}
    bundle["history"] = history_of(s, insp.id)
    bundle["content_hash"] = bundle_hash(bundle)
    return bundle


def with_previous(s: Session, inspection_ids: Iterable[str]) -> list[Inspection]:
    """The inspections and (复查) every visit they follow, earliest first."""
    chosen: dict[str, Inspection] = {}
    todo = list(inspection_ids)
    while todo:
        iid = todo.pop()
        if iid in chosen:
            continue
        insp = s.get(Inspection, iid)
        if insp is None:
            continue
        chosen[iid] = insp
        if insp.previous_inspection_id:
            todo.append(insp.previous_inspection_id)
    return _ordered(chosen.values(), lambda i: i.id, lambda i: i.previous_inspection_id)


def _ordered(items: Iterable[Any], key: Any, parent: Any) -> list[Any]:
    """``items`` with each one after the one it follows (by id otherwise); a cycle is
    broken where it is met (the checks refuse cycles in what arrives)."""
    pending = {key(i): i for i in items}
    out: list[Any] = []
    placed: set[str] = set()
    for k in sorted(pending):
        chain = []
        step: str | None = k
        while step is not None and step in pending and step not in placed:
            placed.add(step)
            chain.append(pending[step])
            step = parent(pending[step])
        out.extend(reversed(chain))
    return out


@dataclass(frozen=True)
class Collected:
    document: dict[str, Any]
    media: list[tuple[str, str]]  # (sha256, media_type) of every photo's original
    inspection_ids: list[str]


def collect(s: Session, inspection_ids: Iterable[str]) -> Collected:
    """The records document of a package holding these inspections (and the visits they
    follow), every site, and the template versions they use."""
    inspections = with_previous(s, inspection_ids)
    bundles = [inspection_bundle(s, i) for i in inspections]
    template_ids = sorted({i.template_version_id for i in inspections})
    templates = [row_of(t) for t in (s.get(TemplateVersion, tid) for tid in template_ids) if t]
    sites = [row_of(r) for r in s.exec(select(Site).order_by(Site.code)).all()]
    media = sorted({(p["sha256"], p["media_type"]) for b in bundles for p in b["photos"]})
    document = {
        "format": RECORDS_FORMAT,
        "sites": sites,
        "templates": templates,
        "inspections": bundles,
    }
    return Collected(document, media, [i.id for i in inspections])


def media_member(sha256: str, media_type: str) -> str:
    return f"media/{sha256}.{MEDIA_TYPES[media_type]}"


# -- checking what arrives ----------------------------------------------------------------------


# Nullable columns added after records format 1: a package from an app before them has
# none, read as None (what the migration gave the rows already here).
_ADDED_LATER: dict[str, frozenset[str]] = {
    "inspection_revision": frozenset({"organisation", "display_zone"}),
}
_ZONE_COLUMNS = {("inspection_revision", "display_zone")}


def _reject(where: str, message: str) -> PackageRejected:
    return PackageRejected(f"{RECORDS_MEMBER}: {where}: {message}")


def _is_sha(value: Any) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _check_row(model: type[SQLModel], row: Any, where: str) -> dict[str, Any]:
    """A row exactly as its table has it, every value of the right type; converted to
    Python values for writing."""
    table = _table(model)
    if not isinstance(row, dict):
        raise _reject(where, _("expected an object"))
    names = [c.name for c in table.columns]
    later = _ADDED_LATER.get(table.name, frozenset())
    row = {**{n: None for n in later if n not in row}, **row}  # an older app's package
    missing = [n for n in names if n not in row]
    extra = [k for k in row if k not in names]
    if missing or extra:
        raise _reject(
            where,
            _(
                "fields do not match the table {table} (missing: {missing}; unknown: {extra})",
                table=table.name,
                missing=", ".join(missing) or "-",
                extra=", ".join(map(str, extra)) or "-",
            ),
        )
    out: dict[str, Any] = {}
    for column in table.columns:
        name, value, kind = column.name, row[column.name], _kind(column)
        at = f"{where}.{name}"
        if value is None:
            if not column.nullable:
                raise _reject(at, _("a value is required"))
            out[name] = None
            continue
        try:
            out[name] = _convert(kind, value)
        except (TypeError, ValueError, OverflowError):
            raise _reject(at, _("not a valid {kind} value", kind=kind)) from None
        length = getattr(column.type, "length", None) or _TEXT_CAPS.get((table.name, name))
        if kind == "AutoString" and length is not None and len(value) > length:
            raise _reject(at, _("longer than {n} characters", n=length))
        choices = _CHOICES.get((table.name, name))
        if choices is not None and value not in choices:
            raise _reject(at, _("unknown value {value!r}", value=value))
        if (table.name, name) in _ZONE_COLUMNS and not timefmt.valid_zone(value):
            raise _reject(at, _("unknown time zone {value!r}", value=value))
        if name in _SHA_COLUMNS and not _is_sha(value):
            raise _reject(at, _("not a SHA-256 in hexadecimal"))
        if (table.name, name) in _JSON_TEXT:
            try:
                parsed = json.loads(value, parse_constant=_no_constant)
            except (ValueError, RecursionError):
                raise _reject(at, _("not valid JSON text")) from None
            if _longest_string(parsed) > limits.LONGEST_TEXT:
                raise _reject(
                    at, _("holds a text longer than {n} characters", n=limits.LONGEST_TEXT)
                )
            if has_surrogates(parsed):  # escaped in the JSON text: the package's JSON had none
                raise _reject(at, _not_unicode())
    return out


def _not_unicode() -> str:
    return _("holds text that is not valid Unicode (a lone surrogate)")


def _escaped_surrogates(text: Any) -> bool:
    """JSON text (an audit entry's old or new value) whose escapes make a lone surrogate."""
    if not isinstance(text, str) or "\\u" not in text:
        return False
    try:
        return has_surrogates(json.loads(text))
    except (ValueError, RecursionError):
        return False


def _longest_string(value: Any) -> int:
    """The length of the longest string (or key) anywhere in parsed JSON."""
    longest = 0
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, str):
            longest = max(longest, len(v))
        elif isinstance(v, list):
            todo.extend(v)
        elif isinstance(v, dict):
            todo.extend(v.keys())
            todo.extend(v.values())
    return longest


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _convert(kind: str, value: Any) -> Any:
    if kind == "AutoString":
        if not isinstance(value, str):
            raise TypeError
        return value
    if kind == "Boolean":
        if not isinstance(value, bool):
            raise TypeError
        return value
    if kind == "Integer":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**62:
            raise TypeError
        return value
    if kind == "Float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(value)
        return number
    if kind == "Date":
        if not isinstance(value, str):
            raise TypeError
        return dt.date.fromisoformat(value)
    if kind == "UTCDateTime":
        if not isinstance(value, str):
            raise TypeError
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        return moment
    if kind == "LargeBinary":
        if not isinstance(value, str):
            raise TypeError
        return base64.b64decode(value, validate=True)
    raise TypeError(kind)  # pragma: no cover - every column kind is listed above


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _reject(where, _("expected a list"))
    return value


@dataclass
class IncomingInspection:
    id: str
    inspection: dict[str, Any]  # Python values, ready to write
    parts: dict[str, list[dict[str, Any]]]
    history: list[dict[str, Any]]
    content_hash: str
    raw: dict[str, Any]  # as it arrived (kept whole in a conflict)


@dataclass
class Incoming:
    sites: list[dict[str, Any]]
    site_raw: list[dict[str, Any]]
    templates: list[dict[str, Any]]
    inspections: list[IncomingInspection]


def check_document(doc: Any, media_members: set[str]) -> Incoming:
    """Every record of ``doc`` checked against its table, its template and the others, or
    ``PackageRejected`` naming the first problem and where it is. ``media_members``: the
    ``media/…`` paths the (verified) manifest lists."""
    if not isinstance(doc, dict) or set(doc) != {"format", "sites", "templates", "inspections"}:
        raise _reject("/", _("not an Inspector records document"))
    if doc["format"] != RECORDS_FORMAT:
        raise _reject(
            "format",
            _("records format {n} is not supported; update this app", n=doc["format"]),
        )
    sites = [_check_row(Site, r, f"sites[{n}]") for n, r in enumerate(_list(doc["sites"], "sites"))]
    if len({s["id"] for s in sites}) != len(sites) or len({s["code"] for s in sites}) != len(sites):
        raise _reject("sites", _("a site id or code appears twice"))
    templates = []
    parsed: dict[str, ChecklistTemplate] = {}
    for n, r in enumerate(_list(doc["templates"], "templates")):
        row = _check_row(TemplateVersion, r, f"templates[{n}]")
        parsed[row["id"]] = _check_template(row, f"templates[{n}]")
        templates.append(row)
    if len(parsed) != len(templates):
        raise _reject("templates", _("a template version appears twice"))
    site_ids = {s["id"] for s in sites}
    inspections = [
        _check_bundle(b, f"inspections[{n}]", media_members, parsed, site_ids)
        for n, b in enumerate(_list(doc["inspections"], "inspections"))
    ]
    ids = [i.id for i in inspections]
    if len(set(ids)) != len(ids):
        raise _reject("inspections", _("an inspection appears twice"))
    _check_no_cycles(inspections)
    return Incoming(sites, list(doc["sites"]), templates, inspections)


def _check_template(row: dict[str, Any], where: str) -> ChecklistTemplate:
    from inspector_app.domain.checklists.loader import template_from_json

    digest = hashlib.sha256(row["canonical_json"].encode("utf-8")).hexdigest()
    if digest != row["content_hash"]:
        raise _reject(where, _("the template does not match its content hash"))
    try:
        template = template_from_json(row["canonical_json"])
    except Exception as exc:  # any failure to parse is a bad template
        raise _reject(where, _("the template cannot be read: {error}", error=exc)) from None
    labels = (
        template.id,
        template.version,
        template.site_type.value,
        template.title.zh,
        template.title.en,
        template.uses_sample_weights,
    )
    stated = (
        row["template_id"],
        row["version"],
        row["site_type"],
        row["title_zh"],
        row["title_en"],
        row["sample_weights"],
    )
    if labels != stated:
        raise _reject(where, _("the template's labels do not match its content"))
    return template


def _unique(rows: Sequence[dict[str, Any]], keys: Sequence[str], where: str) -> None:
    seen: set[tuple[Any, ...]] = set()
    for k, row in enumerate(rows):
        key = tuple(row[name] for name in keys)
        if key in seen:
            raise _reject(f"{where}[{k}]", _("appears twice ({keys})", keys=", ".join(keys)))
        seen.add(key)


def _json_of(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _check_bundle(
    raw: Any,
    where: str,
    media_members: set[str],
    templates: dict[str, ChecklistTemplate],
    site_ids: set[str],
) -> IncomingInspection:
    keys = {"inspection", "history", "content_hash", *(name for name, _m in PARTS)}
    if not isinstance(raw, dict) or set(raw) != keys:
        raise _reject(where, _("not an inspection record"))
    insp = _check_row(Inspection, raw["inspection"], f"{where}.inspection")
    iid = insp["id"]
    parts: dict[str, list[dict[str, Any]]] = {}
    for name, model in PARTS:
        rows = [
            _check_row(model, r, f"{where}.{name}[{k}]")
            for k, r in enumerate(_list(raw[name], f"{where}.{name}"))
        ]
        for k, row in enumerate(rows):
            if "inspection_id" in row and row["inspection_id"] != iid:
                raise _reject(f"{where}.{name}[{k}]", _("belongs to another inspection"))
        parts[name] = rows
    for name, unique in (
        ("revisions", ("id",)),
        ("revisions", ("revision",)),
        ("answers", ("id",)),
        ("answers", ("item_id",)),
        ("photos", ("id",)),
        ("photos", ("sha256",)),
        ("findings", ("id",)),
        ("finding_photos", ("finding_id", "photo_id")),
        ("signatures", ("id",)),
    ):
        _unique(parts[name], unique, f"{where}.{name}")
    template = templates.get(insp["template_version_id"])
    if template is None:
        raise _reject(f"{where}.inspection", _("its template version is not in the package"))
    if (template.id, template.version) != (insp["template_id"], insp["template_version"]):
        raise _reject(f"{where}.inspection", _("its template does not match the one it names"))
    if insp["site_id"] not in site_ids:
        raise _reject(f"{where}.inspection", _("its site is not in the package"))
    if insp["previous_inspection_id"] == iid:
        raise _reject(f"{where}.inspection", _("it follows itself"))
    finding_ids = {f["id"] for f in parts["findings"]}
    photo_ids = {p["id"] for p in parts["photos"]}
    for k, link in enumerate(parts["finding_photos"]):
        if link["finding_id"] not in finding_ids or link["photo_id"] not in photo_ids:
            raise _reject(
                f"{where}.finding_photos[{k}]", _("links a photo or finding not in the record")
            )
    for k, p in enumerate(parts["photos"]):
        if media_member(p["sha256"], p["media_type"]) not in media_members:
            raise _reject(
                f"{where}.photos[{k}]",
                _("the photo file {sha} is not in the package", sha=p["sha256"][:12]),
            )
    try:
        _check_meaning(insp, parts, template, where)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise _reject(where, str(exc)) from None
    history = _check_history(raw["history"], f"{where}.history", iid)
    if raw["content_hash"] != bundle_hash(raw):
        raise _reject(where, _("the inspection's records do not match their hash"))
    # the cached score is derived data: recomputed here, never taken on trust (invariant 5)
    answers = {
        a["item_id"]: Answer(_json_of(a["value_json"]), a["not_applicable"])
        for a in parts["answers"]
    }
    score = score_inspection(template, answers)
    insp.update(
        score_total=score.total,
        grade=score.grade,
        provisional=score.provisional,
        vetoed=score.vetoed,
    )
    return IncomingInspection(iid, insp, parts, history, raw["content_hash"], raw)


def _check_meaning(
    insp: dict[str, Any],
    parts: dict[str, list[dict[str, Any]]],
    template: ChecklistTemplate,
    where: str,
) -> None:
    """What the columns cannot say: answers fit their items, JSON texts have their shape,
    the status agrees with the frozen revisions, signatures with what they sign. Raises
    ``ValueError`` with the place and the problem."""
    inspectors = json.loads(insp["inspectors"])
    if (
        not isinstance(inspectors, list)
        or not 1 <= len(inspectors) <= limits.INSPECTORS
        or not all(isinstance(n, str) and 0 < len(n) <= limits.NAME for n in inspectors)
    ):
        raise ValueError(
            "inspection.inspectors: "
            + _(
                "expected a list of 1 to {count} names of at most {n} characters",
                count=limits.INSPECTORS,
                n=limits.NAME,
            )
        )
    items = {i.id: i for i in template.items()}
    vetoes = {v.id: v for v in template.vetoes}
    for k, a in enumerate(parts["answers"]):
        at = f"answers[{k}]"
        item = items.get(a["item_id"])
        if item is None and a["item_id"] in vetoes:
            item = Item(
                id="veto",
                title=vetoes[a["item_id"]].title,
                type=AnswerType.YES_NO,
                points=1,
            )
        if item is None:
            raise ValueError(f"{at}.item_id: " + _("no item {id} in the template", id=a["item_id"]))
        value = _json_of(a["value_json"])
        if value is not None:
            try:
                if normalize_answer(item, value) != value:
                    raise AnswerError(_("not in its normal form"))
            except AnswerError as exc:
                raise ValueError(f"{at}.value_json: {exc}") from None
        ticks = json.loads(a["evidence_checked"])
        if not isinstance(ticks, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 1000 for n in ticks
        ):
            raise ValueError(f"{at}.evidence_checked: " + _("expected a list of numbers"))
    frozen = {r["revision"]: r for r in parts["revisions"]}
    for k, r in enumerate(parts["revisions"]):
        score = json.loads(r["score_json"])
        if not isinstance(score, dict) or not isinstance(score.get("total"), (int, float)):
            raise ValueError(f"revisions[{k}].score_json: " + _("expected a score"))
        if not isinstance(json.loads(r["data_json"]), dict):
            raise ValueError(f"revisions[{k}].data_json: " + _("expected an object"))
        if r["revision"] < 1 or r["revision"] > insp["revision"]:
            raise ValueError(f"revisions[{k}].revision: " + _("outside the inspection's revisions"))
    if insp["revision"] < 1:
        raise ValueError("inspection.revision: " + _("outside the inspection's revisions"))
    completed = insp["status"] != InspectionStatus.DRAFT.value
    if completed != (insp["revision"] in frozen):
        raise ValueError(
            "inspection.status: " + _("the status does not agree with the frozen revisions")
        )
    for k, g in enumerate(parts["signatures"]):
        signed = frozen.get(g["inspection_revision"])
        if signed is None or signed["data_hash"] != g["data_hash"]:
            raise ValueError(
                f"signatures[{k}]: " + _("it does not sign a frozen revision of the inspection")
            )
        _check_png(g["image_png"], f"signatures[{k}].image_png")


def _check_png(data: bytes, where: str) -> None:
    from PIL import Image

    if len(data) > SIGNATURE_PNG_MAX or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError(f"{where}: " + _("not a PNG image"))
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as im:
            if im.width * im.height > 4096 * 4096:
                raise ValueError(f"{where}: " + _("not a PNG image"))
            im.load()
    except (OSError, SyntaxError, Image.DecompressionBombError):
        raise ValueError(f"{where}: " + _("not a PNG image")) from None


def _check_no_cycles(inspections: Sequence[IncomingInspection]) -> None:
    previous = {b.id: b.inspection["previous_inspection_id"] for b in inspections}
    for start in previous:
        seen = {start}
        step = previous[start]
        while step in previous:
            if step in seen:
                raise _reject("inspections", _("re-inspections follow each other in a circle"))
            seen.add(step)
            step = previous[step]


def _check_history(raw: Any, where: str, inspection_id: str) -> list[dict[str, Any]]:
    entries = []
    seen: set[str] = set()
    for k, e in enumerate(_list(raw, where)):
        at = f"{where}[{k}]"
        if not isinstance(e, dict) or set(e) != set(HISTORY_KEYS):
            raise _reject(at, _("not an audit entry"))
        # what the services write fits easily: an edit's old and new texts within their caps
        if len(canonical_json(e)) > limits.HISTORY_ENTRY_BYTES:
            raise _reject(
                at,
                _("the audit entry is larger than {n} bytes", n=f"{limits.HISTORY_ENTRY_BYTES:,}"),
            )
        if isinstance(e["actor"], str) and len(e["actor"]) > limits.ACTOR:
            raise _reject(f"{at}.actor", _("longer than {n} characters", n=limits.ACTOR))
        text_keys = [k2 for k2 in HISTORY_KEYS if k2 != "seq"]
        if not isinstance(e["seq"], int) or isinstance(e["seq"], bool):
            raise _reject(at, _("not an audit entry"))
        for key in text_keys:
            if e[key] is not None and not isinstance(e[key], str):
                raise _reject(at, _("not an audit entry"))
        if e["inspection_id"] != inspection_id:
            raise _reject(at, _("belongs to another inspection"))
        for key in ("old", "new"):
            if _escaped_surrogates(e[key]):
                raise _reject(f"{at}.{key}", _not_unicode())
        if e["id"] in seen or not e["id"]:
            raise _reject(at, _("an audit entry appears twice"))
        values = {key: e[key] for key in HISTORY_KEYS if key not in ("prev_hash", "hash")}
        if (
            not isinstance(e["prev_hash"], str)
            or audit.row_hash(values, e["prev_hash"]) != e["hash"]
        ):
            raise _reject(at, _("the audit entry was altered (its hash does not match)"))
        seen.add(e["id"])
        entries.append(e)
    return entries


# -- merging ------------------------------------------------------------------------------------


@dataclass
class MergeResult:
    added: list[str] = field(default_factory=list)  # inspection ids
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_newer: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    # another device's version with the same content (compare.py): no conflict, its
    # history kept to be shown
    same_content: list[str] = field(default_factory=list)
    sites_added: int = 0
    site_conflicts: int = 0
    templates_added: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept_newer": self.kept_newer,
            "conflicts": self.conflicts,
            "same_content": self.same_content,
            "sites_added": self.sites_added,
            "site_conflicts": self.site_conflicts,
            "templates_added": self.templates_added,
        }

    @property
    def changed(self) -> bool:
        return bool(
            self.added
            or self.updated
            or self.conflicts
            or self.same_content
            or self.sites_added
            or self.site_conflicts
            or self.templates_added
        )


SITE_VOLATILE = ("id", "created_at", "updated_at", "revision", "base_revision")


def check_site(raw: Any) -> dict[str, Any]:
    """A site row as it travels, checked (Python values)."""
    return _check_row(Site, raw, "site")


def _site_facts(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in SITE_VOLATILE}


def _insert(s: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        s.connection().execute(_table(model).insert(), list(rows))


def _upsert(s: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    table = _table(model)
    keys = [c.name for c in table.primary_key.columns]
    for row in rows:
        stmt = sqlite_insert(table).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=keys,
            set_={k: stmt.excluded[k] for k in row if k not in keys},
        )
        s.connection().execute(stmt)


def _conflict(
    s: Session,
    package_id: str,
    entity: str,
    entity_id: str,
    local: dict[str, Any] | None,
    incoming_raw: dict[str, Any],
    incoming_hash: str,
) -> str:
    """Keep an incoming version for a person; the same version met again is not kept twice.
    Returns "open" (a person still has to decide) or "kept_local" (decided before)."""
    earlier = s.exec(
        select(SyncConflict).where(
            SyncConflict.entity == entity,
            SyncConflict.entity_id == entity_id,
            SyncConflict.incoming_hash == incoming_hash,
        )
    ).all()
    for c in earlier:
        if c.resolution is None:
            return "open"
        if c.resolution == "kept_local":
            return "kept_local"
    s.add(
        SyncConflict(
            package_id=package_id,
            entity=entity,
            entity_id=entity_id,
            local_hash=hashlib.sha256(canonical_json(local)).hexdigest() if local else "0" * 64,
            incoming_hash=incoming_hash,
            incoming_json=json.dumps(incoming_raw, ensure_ascii=False, sort_keys=True),
        )
    )
    return "open"


def _version_hash(bundle: IncomingInspection) -> str:
    """An incoming version: its rows and its history."""
    return hashlib.sha256(
        (bundle.content_hash + "," + ",".join(_ids(bundle.history))).encode("ascii")
    ).hexdigest()


def merge(
    s: Session, incoming: Incoming, *, package_id: str, device_id: str | None = None
) -> MergeResult:
    """Apply ``incoming`` (from the device ``device_id``) inside the caller's transaction (it
    commits or rolls back)."""
    result = MergeResult()
    sources = compare.sources_of(b.raw for b in incoming.inspections)
    site_map = _merge_sites(s, incoming, package_id, result)
    template_map = _merge_templates(s, incoming, result)
    in_package = {b.id for b in incoming.inspections}
    written_findings: set[str] = set()
    for bundle in _ordered(incoming.inspections, lambda b: b.id, _previous_of):
        previous = bundle.inspection["previous_inspection_id"]
        if previous and previous not in in_package and s.get(Inspection, previous) is None:
            raise PackageRejected(
                f"{RECORDS_MEMBER}: inspection {bundle.id[:8]}: "
                + _(
                    "it follows inspection {id}, which is neither in the package nor here",
                    id=previous[:8],
                )
            )
        _check_ids_belong(s, bundle)
        row = dict(bundle.inspection)
        row["site_id"] = site_map.get(row["site_id"], row["site_id"])
        row["template_version_id"] = template_map[row["template_version_id"]]
        missing = _missing_sources(s, bundle, written_findings)
        if missing or (previous and s.get(Inspection, previous) is None):
            # a carried finding (复查) or the visit it follows was not written (it is in a
            # conflict here, or the same content from another device): kept whole as a
            # conflict until that one is decided, unless this one holds the same content too
            local = s.get(Inspection, bundle.id)
            if local is not None and _same_content(s, local, bundle, row, sources):
                _keep_same_content(s, bundle, device_id, result)
                continue
            state = _conflict(
                s,
                package_id,
                "inspection",
                bundle.id,
                inspection_bundle(s, local) if local else None,
                {**bundle.raw, "_local": _kept_with(bundle, row, sources)},
                _version_hash(bundle),
            )
            (result.conflicts if state == "open" else result.kept_newer).append(bundle.id)
            continue
        if _merge_inspection(s, bundle, row, package_id, result, device_id, sources):
            written_findings |= {f["id"] for f in bundle.parts["findings"]}
    return result


def _previous_of(bundle: IncomingInspection) -> str | None:
    return bundle.inspection["previous_inspection_id"]  # type: ignore[no-any-return]


def _merge_sites(
    s: Session, incoming: Incoming, package_id: str, result: MergeResult
) -> dict[str, str]:
    """Incoming site id -> local site id."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for row, raw in zip(incoming.sites, incoming.site_raw, strict=True):
        local = (
            s.get(Site, row["id"]) or s.exec(select(Site).where(Site.code == row["code"])).first()
        )
        if local is not None and local.id in taken:
            raise PackageRejected(
                f"{RECORDS_MEMBER}: "
                + _("two sites in the package match site {code} here", code=local.code)
            )
        if local is None:
            _insert(s, Site, [row])
            mapping[row["id"]] = row["id"]
            taken.add(row["id"])
            result.sites_added += 1
            continue
        mapping[row["id"]] = local.id
        taken.add(local.id)
        local_row = row_of(local)
        if _site_facts(local_row) != _site_facts(raw):
            state = _conflict(
                s,
                package_id,
                "site",
                local.id,
                local_row,
                raw,
                hashlib.sha256(canonical_json(_site_facts(raw))).hexdigest(),
            )
            if state == "open":
                result.site_conflicts += 1
    return mapping


def _merge_templates(s: Session, incoming: Incoming, result: MergeResult) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in incoming.templates:
        local = s.exec(
            select(TemplateVersion).where(TemplateVersion.content_hash == row["content_hash"])
        ).first()
        if local is not None:
            mapping[row["id"]] = local.id
            continue
        clash = s.exec(
            select(TemplateVersion).where(
                TemplateVersion.template_id == row["template_id"],
                TemplateVersion.version == row["version"],
            )
        ).first()
        if clash is not None:
            raise PackageRejected(
                _(
                    "template {id} version {version} in the package differs from the one here "
                    "with the same version",
                    id=row["template_id"],
                    version=row["version"],
                )
            )
        if s.get(TemplateVersion, row["id"]) is not None:  # the same id for other content
            raise PackageRejected(
                _("template version {id} in the package clashes with another here", id=row["id"])
            )
        _insert(s, TemplateVersion, [row])
        mapping[row["id"]] = row["id"]
        result.templates_added += 1
    return mapping


def _check_ids_belong(s: Session, bundle: IncomingInspection) -> None:
    """No incoming row may carry the id of a record of another inspection here."""
    for name, model in PARTS:
        if model is FindingPhoto or not bundle.parts[name]:
            continue
        table = _table(model)
        ids = [r["id"] for r in bundle.parts[name]]
        for chunk in range(0, len(ids), 500):
            clash = (
                s.connection()
                .execute(
                    select(table.c.id).where(
                        table.c.id.in_(ids[chunk : chunk + 500]),
                        table.c.inspection_id != bundle.id,
                    )
                )
                .first()
            )
            if clash is not None:
                raise PackageRejected(
                    f"{RECORDS_MEMBER}: inspection {bundle.id[:8]}: "
                    + _(
                        "{part} {id} belongs to another inspection here",
                        part=name,
                        id=clash[0][:8],
                    )
                )


def _missing_sources(
    s: Session, bundle: IncomingInspection, written_findings: set[str]
) -> list[str]:
    """Carried-from findings that are neither written by this import nor here."""
    return [
        f["carried_from_id"]
        for f in bundle.parts["findings"]
        if f["carried_from_id"]
        and f["carried_from_id"] not in written_findings
        and s.get(Finding, f["carried_from_id"]) is None
    ]


# Entries that annotate an inspection without editing what it says: exporting it, signing its
# PDF. Each folder writes its own; they do not decide which version is newer.
ANNOTATIONS = frozenset({"export", "report_signed"})


def _ids(entries: Sequence[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in entries if e["action"] not in ANNOTATIONS]


def _merge_inspection(
    s: Session,
    bundle: IncomingInspection,
    row: dict[str, Any],
    package_id: str,
    result: MergeResult,
    device_id: str | None = None,
    sources: dict[str, list[Any]] | None = None,
) -> bool:
    """Merge one inspection; True if the incoming rows were written."""
    local = s.get(Inspection, bundle.id)
    if local is None:
        _insert_inspection(s, bundle, row, device_id)
        result.added.append(bundle.id)
        return True
    mine = _ids(history_of(s, bundle.id))
    theirs = _ids(bundle.history)
    if mine == theirs:
        result.unchanged.append(bundle.id)
    elif theirs[: len(mine)] == mine:
        if _fast_forward(s, local, bundle, row):
            _store_history(s, bundle, device_id)
            result.updated.append(bundle.id)
            return True
        # a later version that would rewrite what was frozen: a conflict, whatever it says
        _keep_conflict(s, local, bundle, row, package_id, result, sources)
    elif mine[: len(theirs)] == theirs:
        result.kept_newer.append(bundle.id)
    elif _same_content(s, local, bundle, row, sources or {}):
        # both sides made the same inspection by different histories: nothing to decide
        _keep_same_content(s, bundle, device_id, result)
    else:
        _keep_conflict(s, local, bundle, row, package_id, result, sources)
    return False


def local_sources(s: Session, extra: dict[str, list[Any]] | None = None) -> compare.SourceKey:
    """``compare.content``'s key of a carried finding's source: from ``extra`` (the findings
    of the package at hand), else the finding here, else unknown."""

    def key(finding_id: str) -> Any:
        if extra and finding_id in extra:
            return extra[finding_id]
        found = s.get(Finding, finding_id)
        if found is None:
            return compare.unknown_source(finding_id)
        return compare.source_key(row_of(found))

    return key


def local_content(s: Session, local: Inspection) -> dict[str, Any]:
    """The content (``compare.content``) of the version here."""
    return compare.content(inspection_bundle(s, local), site=local.site_id, source=local_sources(s))


def _same_content(
    s: Session,
    local: Inspection,
    bundle: IncomingInspection,
    row: dict[str, Any],
    sources: dict[str, list[Any]],
) -> bool:
    theirs = compare.content(bundle.raw, site=row["site_id"], source=local_sources(s, sources))
    return compare.same_content(local_content(s, local), theirs)


def _keep_same_content(
    s: Session, bundle: IncomingInspection, device_id: str | None, result: MergeResult
) -> None:
    """Another device's version holds what the version here holds: nothing is written but
    its history, kept to be shown (it does not count in later merges)."""
    received.store_shown_only(s, bundle.id, bundle.history, device_id)
    result.same_content.append(bundle.id)


def _insert_inspection(
    s: Session, bundle: IncomingInspection, row: dict[str, Any], device_id: str | None
) -> None:
    _insert(s, Inspection, [row])
    for name, model in PARTS:
        _insert(s, model, bundle.parts[name])
    _store_history(s, bundle, device_id)


def _kept_with(
    bundle: IncomingInspection, row: dict[str, Any], sources: dict[str, list[Any]]
) -> dict[str, Any]:
    """What a kept conflict needs beside the incoming rows: the local site its site is, and
    what its carried findings come from as the package said (``compare.source_key``), for
    showing the differences later."""
    carried = {f["carried_from_id"] for f in bundle.parts["findings"] if f["carried_from_id"]}
    return {"site_id": row["site_id"], "sources": {k: sources[k] for k in carried if k in sources}}


def _keep_conflict(
    s: Session,
    local: Inspection,
    bundle: IncomingInspection,
    row: dict[str, Any],
    package_id: str,
    result: MergeResult,
    sources: dict[str, list[Any]] | None = None,
) -> None:
    mine = inspection_bundle(s, local)
    kept = {**bundle.raw, "_local": _kept_with(bundle, row, sources or {})}
    state = _conflict(s, package_id, "inspection", local.id, mine, kept, _version_hash(bundle))
    (result.conflicts if state == "open" else result.kept_newer).append(bundle.id)


# what a later version never changes: a frozen revision and a signature stay as they were
FROZEN_PARTS = ("revisions", "signatures")


def _fast_forward(
    s: Session, local: Inspection, bundle: IncomingInspection, row: dict[str, Any]
) -> bool:
    """Replace the local rows of an inspection by the incoming ones; False (nothing written)
    if the incoming version lacks a frozen revision, a finding or a signature kept here, or
    changes a frozen revision or a signature."""
    current = inspection_bundle(s, local)
    for name, _model in PARTS:
        if name in REMOVABLE:
            continue
        have = {r["id"] for r in current[name]}
        if not have <= {r["id"] for r in bundle.parts[name]}:
            return False
    for name in FROZEN_PARTS:
        theirs = {r["id"]: r for r in bundle.raw[name]}
        if any(theirs[r["id"]] != r for r in current[name]):
            return False
    _upsert(s, Inspection, [row])
    incoming_links = {(r["finding_id"], r["photo_id"]) for r in bundle.parts["finding_photos"]}
    for link in current["finding_photos"]:
        if (link["finding_id"], link["photo_id"]) not in incoming_links:
            s.connection().execute(
                delete(_table(FindingPhoto)).where(
                    _table(FindingPhoto).c.finding_id == link["finding_id"],
                    _table(FindingPhoto).c.photo_id == link["photo_id"],
                )
            )
    for name, model in (("photos", Photo), ("answers", AnswerRecord)):
        keep = {r["id"] for r in bundle.parts[name]}
        gone = [r["id"] for r in current[name] if r["id"] not in keep]
        if gone:
            s.connection().execute(delete(_table(model)).where(_table(model).c.id.in_(gone)))
    for name, model in PARTS:
        _upsert(s, model, bundle.parts[name])
    return True


def _store_history(s: Session, bundle: IncomingInspection, device_id: str | None) -> None:
    """Keep the history the inspection arrived with, whole and in its order."""
    received.store_lineage(s, bundle.id, bundle.history, device_id)


def received_here(s: Session, inspection_id: str) -> bool:
    """True if the inspection arrived in a package (it was not started in this folder)."""
    return (
        s.exec(
            select(ReceivedHistory.id).where(
                ReceivedHistory.inspection_id == inspection_id, ReceivedHistory.lineage
            )
        ).first()
        is not None
    )


# -- resolving a conflict -----------------------------------------------------------------------


def take_incoming_inspection(
    s: Session, stored: dict[str, Any], media_members: set[str], device_id: str | None = None
) -> str:
    """Put the incoming version a conflict kept in place of the local one (a person chose
    it), checked as on import. ``ValueError`` if it is not newer than the local version, if
    it lacks or changes a frozen revision, a finding or a signature kept here, or if what it
    refers to is still missing. Returns the inspection id."""
    from inspector_app.domain.checklists.loader import template_from_json

    raw = dict(stored)
    mapped = raw.pop("_local", None) or {}
    head = raw.get("inspection") if isinstance(raw.get("inspection"), dict) else {}
    tv = s.exec(
        select(TemplateVersion).where(TemplateVersion.content_hash == head.get("template_hash"))
    ).first()
    if tv is None:
        raise ValueError(_("the incoming version's template version is not here"))
    templates = {head.get("template_version_id"): template_from_json(tv.canonical_json)}
    try:
        bundle = _check_bundle(
            raw, "sync_conflict", media_members, templates, {head.get("site_id")}
        )
    except PackageRejected as exc:
        raise ValueError(str(exc)) from None
    _check_ids_belong(s, bundle)
    if _missing_sources(s, bundle, set()):
        raise ValueError(
            _(
                "a finding it carries forward is not here yet: decide that inspection's conflict first"
            )
        )
    row = dict(bundle.inspection)
    row["template_version_id"] = tv.id
    local = s.get(Inspection, bundle.id)
    if local is None:
        row["site_id"] = mapped.get("site_id", row["site_id"])
        previous = row["previous_inspection_id"]
        if s.get(Site, row["site_id"]) is None or (
            previous and s.get(Inspection, previous) is None
        ):
            raise ValueError(_("the site or the visit it follows is not here yet"))
        _insert_inspection(s, bundle, row, device_id)
        return bundle.id
    row["site_id"] = local.site_id
    mine, theirs = _ids(history_of(s, bundle.id)), _ids(bundle.history)
    if mine[: len(theirs)] == theirs:
        raise ValueError(_("the local version is the same as this one or newer"))
    if not _fast_forward(s, local, bundle, row):
        raise ValueError(
            _(
                "the incoming version lacks or changes a frozen revision, a finding or a "
                "signature kept here; keep the local version"
            )
        )
    _store_history(s, bundle, device_id)
    return bundle.id
