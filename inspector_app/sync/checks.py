"""Checking what arrives: every record of a records document, in the format it declares
(``wire``), mapped onto its row and checked against its table (``values``), its template and
the others, before anything is written.

Then what the columns cannot say: each answer belongs to an item of the pinned template and
is in its normal form, ticks and names are lists of the right kind, no key appears twice, the
status agrees with the frozen revisions, each signature signs a frozen revision and decodes as
a PNG, each photo's file is in the package, a template's labels match its content,
re-inspections do not follow each other in a circle, every history entry's own hash checks.
The cached score is not taken on trust: it is recomputed from the template and the answers.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector_app import limits
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.domain.checklists.scoring import (
    Answer,
    AnswerError,
    normalize_answer,
    score_inspection,
)
from inspector_app.i18n import _
from inspector_app.store import audit
from inspector_app.store.models import (
    Inspection,
    InspectionStatus,
    Site,
    TemplateVersion,
)
from inspector_app.sync.strict import canonical_json
from inspector_app.sync.values import check_row, escaped_surrogates, not_unicode
from inspector_app.sync.wire import (
    BUNDLE_KEYS,
    HISTORY_KEYS,
    PARTS,
    Format,
    bundle_hash,
    format_of,
    media_member,
    reject,
)

if TYPE_CHECKING:
    from sqlmodel import SQLModel  # the tables of store/models.py, as row types

SIGNATURE_PNG_MAX = 2 * 2**20


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise reject(where, _("expected a list"))
    return value


@dataclass
class IncomingInspection:
    id: str
    inspection: dict[str, Any]  # Python values, ready to write
    parts: dict[str, list[dict[str, Any]]]
    history: list[dict[str, Any]]
    content_hash: str
    raw: dict[str, Any]  # as it arrived, in its format (kept whole in a conflict)
    rows: dict[str, Any]  # "inspection" and the parts as rows (JSON values), to compare
    format_version: int  # the format it arrived in


@dataclass
class Incoming:
    sites: list[dict[str, Any]]
    site_rows: list[dict[str, Any]]  # as rows (JSON values), to compare and keep
    templates: list[dict[str, Any]]
    inspections: list[IncomingInspection]


def _read(
    fmt: Format, kind: str, model: type[SQLModel], record: Any, where: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A record as its row (JSON values) and checked (Python values)."""
    row = fmt.row(kind, record, where)
    return row, check_row(model, row, where)


def check_document(doc: Any, media_members: set[str]) -> Incoming:
    """Every record of ``doc`` read in its format and checked against its table, its
    template and the others, or ``PackageRejected`` naming the first problem and where it is.
    ``media_members``: the ``media/…`` paths the (verified) manifest lists."""
    fmt = format_of(doc)
    read = [
        _read(fmt, "sites", Site, r, f"sites[{n}]")
        for n, r in enumerate(_list(doc["sites"], "sites"))
    ]
    sites = [checked for _row, checked in read]
    if len({s["id"] for s in sites}) != len(sites) or len({s["code"] for s in sites}) != len(sites):
        raise reject("sites", _("a site id or code appears twice"))
    templates = []
    parsed: dict[str, ChecklistTemplate] = {}
    for n, r in enumerate(_list(doc["templates"], "templates")):
        _json, row = _read(fmt, "templates", TemplateVersion, r, f"templates[{n}]")
        parsed[row["id"]] = _check_template(row, f"templates[{n}]")
        templates.append(row)
    if len(parsed) != len(templates):
        raise reject("templates", _("a template version appears twice"))
    site_ids = {s["id"] for s in sites}
    inspections = [
        check_bundle(b, f"inspections[{n}]", media_members, parsed, site_ids, fmt)
        for n, b in enumerate(_list(doc["inspections"], "inspections"))
    ]
    ids = [i.id for i in inspections]
    if len(set(ids)) != len(ids):
        raise reject("inspections", _("an inspection appears twice"))
    _check_no_cycles(inspections)
    return Incoming(sites, [row for row, _checked in read], templates, inspections)


def _check_template(row: dict[str, Any], where: str) -> ChecklistTemplate:
    from inspector_app.domain.checklists.loader import template_from_json

    digest = hashlib.sha256(row["canonical_json"].encode("utf-8")).hexdigest()
    if digest != row["content_hash"]:
        raise reject(where, _("the template does not match its content hash"))
    try:
        template = template_from_json(row["canonical_json"])
    except Exception as exc:  # any failure to parse is a bad template
        raise reject(where, _("the template cannot be read: {error}", error=exc)) from None
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
        raise reject(where, _("the template's labels do not match its content"))
    return template


def _unique(rows: Sequence[dict[str, Any]], keys: Sequence[str], where: str) -> None:
    seen: set[tuple[Any, ...]] = set()
    for k, row in enumerate(rows):
        key = tuple(row[name] for name in keys)
        if key in seen:
            raise reject(f"{where}[{k}]", _("appears twice ({keys})", keys=", ".join(keys)))
        seen.add(key)


def _json_of(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def check_bundle(
    raw: Any,
    where: str,
    media_members: set[str],
    templates: dict[str, ChecklistTemplate],
    site_ids: set[str],
    fmt: Format,
) -> IncomingInspection:
    """One inspection's records in the format ``fmt``, checked (``check_document``)."""
    if not isinstance(raw, dict) or set(raw) != BUNDLE_KEYS:
        raise reject(where, _("not an inspection record"))
    head, insp = _read(fmt, "inspection", Inspection, raw["inspection"], f"{where}.inspection")
    iid = insp["id"]
    as_rows: dict[str, Any] = {"inspection": head}
    parts: dict[str, list[dict[str, Any]]] = {}
    for name, model in PARTS:
        read = [
            _read(fmt, name, model, r, f"{where}.{name}[{k}]")
            for k, r in enumerate(_list(raw[name], f"{where}.{name}"))
        ]
        rows = [checked for _row, checked in read]
        for k, row in enumerate(rows):
            if "inspection_id" in row and row["inspection_id"] != iid:
                raise reject(f"{where}.{name}[{k}]", _("belongs to another inspection"))
        parts[name] = rows
        as_rows[name] = [row for row, _checked in read]
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
        raise reject(f"{where}.inspection", _("its template version is not in the package"))
    if (template.id, template.version) != (insp["template_id"], insp["template_version"]):
        raise reject(f"{where}.inspection", _("its template does not match the one it names"))
    if insp["site_id"] not in site_ids:
        raise reject(f"{where}.inspection", _("its site is not in the package"))
    if insp["previous_inspection_id"] == iid:
        raise reject(f"{where}.inspection", _("it follows itself"))
    finding_ids = {f["id"] for f in parts["findings"]}
    photo_ids = {p["id"] for p in parts["photos"]}
    for k, link in enumerate(parts["finding_photos"]):
        if link["finding_id"] not in finding_ids or link["photo_id"] not in photo_ids:
            raise reject(
                f"{where}.finding_photos[{k}]", _("links a photo or finding not in the record")
            )
    for k, p in enumerate(parts["photos"]):
        if media_member(p["sha256"], p["media_type"]) not in media_members:
            raise reject(
                f"{where}.photos[{k}]",
                _("the photo file {sha} is not in the package", sha=p["sha256"][:12]),
            )
    try:
        _check_meaning(insp, parts, template, where)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise reject(where, str(exc)) from None
    history = _check_history(raw["history"], f"{where}.history", iid)
    if raw["content_hash"] != bundle_hash(raw):
        raise reject(where, _("the inspection's records do not match their hash"))
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
    return IncomingInspection(
        iid, insp, parts, history, raw["content_hash"], raw, as_rows, fmt.version
    )


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
                raise reject("inspections", _("re-inspections follow each other in a circle"))
            seen.add(step)
            step = previous[step]


def _check_history(raw: Any, where: str, inspection_id: str) -> list[dict[str, Any]]:
    entries = []
    seen: set[str] = set()
    for k, e in enumerate(_list(raw, where)):
        at = f"{where}[{k}]"
        if not isinstance(e, dict) or set(e) != set(HISTORY_KEYS):
            raise reject(at, _("not an audit entry"))
        # what the services write fits easily: an edit's old and new texts within their caps
        if len(canonical_json(e)) > limits.HISTORY_ENTRY_BYTES:
            raise reject(
                at,
                _("the audit entry is larger than {n} bytes", n=f"{limits.HISTORY_ENTRY_BYTES:,}"),
            )
        if isinstance(e["actor"], str) and len(e["actor"]) > limits.ACTOR:
            raise reject(f"{at}.actor", _("longer than {n} characters", n=limits.ACTOR))
        text_keys = [k2 for k2 in HISTORY_KEYS if k2 != "seq"]
        if not isinstance(e["seq"], int) or isinstance(e["seq"], bool):
            raise reject(at, _("not an audit entry"))
        for key in text_keys:
            if e[key] is not None and not isinstance(e[key], str):
                raise reject(at, _("not an audit entry"))
        if e["inspection_id"] != inspection_id:
            raise reject(at, _("belongs to another inspection"))
        for key in ("old", "new"):
            if escaped_surrogates(e[key]):
                raise reject(f"{at}.{key}", not_unicode())
        if e["id"] in seen or not e["id"]:
            raise reject(at, _("an audit entry appears twice"))
        values = {key: e[key] for key in HISTORY_KEYS if key not in ("prev_hash", "hash")}
        if (
            not isinstance(e["prev_hash"], str)
            or audit.row_hash(values, e["prev_hash"]) != e["hash"]
        ):
            raise reject(at, _("the audit entry was altered (its hash does not match)"))
        seen.add(e["id"])
        entries.append(e)
    return entries


def check_site(raw: Any) -> dict[str, Any]:
    """A site as a conflict kept it (its row, JSON values), checked (Python values)."""
    return check_row(Site, raw, "site")
