"""What one value of an arriving row may be: of its column's type (``convert``), within its
column's length or the cap the services enforce for a free text (docs/design.md, "Limits"),
one of the allowed values, a known time zone, a SHA-256 in hexadecimal, JSON text without a
string longer than 4,000 characters or a lone surrogate escaped in it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from typing import TYPE_CHECKING, Any

from inspector_app import limits, timefmt
from inspector_app.domain.vocab import PhotoRole, SignatureRole
from inspector_app.i18n import _
from inspector_app.store.models import (
    FindingSeverity,
    FindingStatus,
    InspectionStatus,
)
from inspector_app.sync.bundles import column_kind, table_of
from inspector_app.sync.strict import has_surrogates
from inspector_app.sync.wire import MEDIA_TYPES, reject

if TYPE_CHECKING:
    from sqlmodel import SQLModel  # the tables of store/models.py, as row types

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
_ZONE_COLUMNS = {("inspection_revision", "display_zone")}


def _is_sha(value: Any) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def check_row(model: type[SQLModel], row: Any, where: str) -> dict[str, Any]:
    """A row exactly as its table has it (a record as ``wire`` maps it, or a site a conflict
    kept), every value of the right type; converted to Python values for writing."""
    table = table_of(model)
    if not isinstance(row, dict):
        raise reject(where, _("expected an object"))
    names = [c.name for c in table.columns]
    missing = [n for n in names if n not in row]
    extra = [k for k in row if k not in names]
    if missing or extra:
        raise reject(
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
        name, value, kind = column.name, row[column.name], column_kind(column)
        at = f"{where}.{name}"
        if value is None:
            if not column.nullable:
                raise reject(at, _("a value is required"))
            out[name] = None
            continue
        try:
            out[name] = _convert(kind, value)
        except (TypeError, ValueError, OverflowError):
            raise reject(at, _("not a valid {kind} value", kind=kind)) from None
        length = getattr(column.type, "length", None) or _TEXT_CAPS.get((table.name, name))
        if kind == "AutoString" and length is not None and len(value) > length:
            raise reject(at, _("longer than {n} characters", n=length))
        choices = _CHOICES.get((table.name, name))
        if choices is not None and value not in choices:
            raise reject(at, _("unknown value {value!r}", value=value))
        if (table.name, name) in _ZONE_COLUMNS and not timefmt.valid_zone(value):
            raise reject(at, _("unknown time zone {value!r}", value=value))
        if name in _SHA_COLUMNS and not _is_sha(value):
            raise reject(at, _("not a SHA-256 in hexadecimal"))
        if (table.name, name) in _JSON_TEXT:
            try:
                parsed = json.loads(value, parse_constant=_no_constant)
            except (ValueError, RecursionError):
                raise reject(at, _("not valid JSON text")) from None
            if _longest_string(parsed) > limits.LONGEST_TEXT:
                raise reject(
                    at, _("holds a text longer than {n} characters", n=limits.LONGEST_TEXT)
                )
            if has_surrogates(parsed):  # escaped in the JSON text: the package's JSON had none
                raise reject(at, not_unicode())
    return out


def not_unicode() -> str:
    return _("holds text that is not valid Unicode (a lone surrogate)")


def escaped_surrogates(text: Any) -> bool:
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
