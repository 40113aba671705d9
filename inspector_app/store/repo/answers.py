"""The repository of answers: an inspection's answers (as domain values, or the three
columns scoring reads), one answer written, and what an answer edit reads first
(``edit_target``: the inspection, its template's hash, whether a draft is being typed for
the item and the item's answer, in one statement).

The hot path of the desktop: every statement here is SQLAlchemy Core, built once, on the
session's connection; no ORM object is loaded or flushed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from inspector_app.domain.checklists import scoring
from inspector_app.domain.inspection import Answer, Inspection
from inspector_app.store.models import metadata
from inspector_app.store.repo.inspections import INSPECTION, TEMPLATE_VERSION, inspection_of

if TYPE_CHECKING:
    from inspector_app.store.db import AnyTx

ANSWER: Table = metadata.tables["answer"]
TEXT_DRAFT: Table = metadata.tables["text_draft"]

_a = ANSWER.c
_COLUMNS = (
    _a.id,
    _a.inspection_id,
    _a.item_id,
    _a.value_json,
    _a.not_applicable,
    _a.comment,
    _a.evidence_checked,
    _a.revision,
    _a.base_revision,
    _a.updated_at,
)


def answer_of(row: Sequence[Any]) -> Answer:
    """A row of ``_COLUMNS`` as the domain value, its JSON decoded."""
    aid, iid, item, value_json, na, comment, evidence, revision, base, updated = row
    return Answer(
        id=str(aid),
        inspection_id=str(iid),
        item_id=str(item),
        value=None if value_json is None else json.loads(str(value_json)),
        not_applicable=bool(na),
        comment=None if comment is None else str(comment),
        evidence=tuple(json.loads(str(evidence))),
        revision=int(revision),
        base_revision=int(base),
        updated_at=updated,
        value_json=None if value_json is None else str(value_json),
        evidence_json=str(evidence),
    )


_OF_INSPECTION = select(*_COLUMNS).where(_a.inspection_id == bindparam("iid"))
_ONE = select(*_COLUMNS).where(
    _a.inspection_id == bindparam("iid"), _a.item_id == bindparam("item")
)
_FOR_SCORING = select(_a.item_id, _a.value_json, _a.not_applicable).where(
    _a.inspection_id == bindparam("iid")
)


def answers(tx: AnyTx, inspection_id: str) -> dict[str, Answer]:
    """The inspection's answers by item."""
    rows = tx.connection().execute(_OF_INSPECTION, {"iid": inspection_id})
    return {a.item_id: a for a in map(answer_of, rows)}


def answer(tx: AnyTx, inspection_id: str, item_id: str) -> Answer | None:
    row = tx.connection().execute(_ONE, {"iid": inspection_id, "item": item_id}).first()
    return None if row is None else answer_of(row)


def for_scoring(tx: AnyTx, inspection_id: str) -> dict[str, scoring.Answer]:
    """The inspection's answers as scoring reads them (three columns, nothing else)."""
    rows = tx.connection().execute(_FOR_SCORING, {"iid": inspection_id})
    return {
        item: scoring.Answer(None if value is None else json.loads(value), bool(na))
        for item, value, na in rows
    }


_INSERT = insert(ANSWER)
_UPDATE = (
    update(ANSWER)
    .where(_a.id == bindparam("aid"))
    .values(
        value_json=bindparam("value_json"),
        not_applicable=bindparam("not_applicable"),
        comment=bindparam("comment"),
        evidence_checked=bindparam("evidence_checked"),
        revision=bindparam("revision"),
        base_revision=bindparam("base_revision"),
        updated_at=bindparam("updated_at"),
    )
)


def save(tx: AnyTx, a: Answer, *, created: bool) -> None:
    """Write an answer as ``a`` has it (its stored encodings): a new row if ``created``."""
    values = {
        "value_json": a.value_json,
        "not_applicable": a.not_applicable,
        "comment": a.comment,
        "evidence_checked": a.evidence_json,
        "revision": a.revision,
        "base_revision": a.base_revision,
        "updated_at": a.updated_at,
    }
    conn = tx.connection()
    if created:
        conn.execute(
            _INSERT, {"id": a.id, "inspection_id": a.inspection_id, "item_id": a.item_id, **values}
        )
    else:
        conn.execute(_UPDATE, {"aid": a.id, **values})


# -- what an edit reads first -------------------------------------------------------------------


@dataclass(frozen=True)
class EditTarget:
    """The inspection an edit goes to, its template's content hash, how many drafts are being
    typed for the item edited (for a batch: for the whole inspection; 0: none to discard),
    and the item's stored answer (None: none stored; for a batch: not read)."""

    inspection: Inspection
    content_hash: str
    drafts: int
    answer: Answer | None = None


_d = TEXT_DRAFT.c
# what an edit deletes of the drafts of its item (store/repo/drafts.discard_in runs it)
DISCARD_DRAFT = delete(TEXT_DRAFT).where(
    _d.inspection_id == bindparam("iid"),
    _d.item_id == bindparam("item"),
    _d.kind == bindparam("kind"),
)
_ANSWER_LABELS = tuple(f"answer_{c.name}" for c in _COLUMNS)


def _drafts(*where: ColumnElement[bool]) -> ScalarSelect[int]:
    return (
        select(func.count())
        .select_from(TEXT_DRAFT)
        .where(_d.inspection_id == INSPECTION.c.id, *where)
        .scalar_subquery()
    )


_TARGET = select(INSPECTION, TEMPLATE_VERSION.c.content_hash.label("content_hash_")).join(
    TEMPLATE_VERSION, TEMPLATE_VERSION.c.id == INSPECTION.c.template_version_id
)
# one statement: the inspection, its template's hash, the item's drafts and its answer
_EDIT_ONE = (
    _TARGET.add_columns(
        _drafts(_d.item_id == bindparam("item")).label("drafts_"),
        *(c.label(label) for c, label in zip(_COLUMNS, _ANSWER_LABELS, strict=True)),
    )
    .outerjoin(ANSWER, and_(_a.inspection_id == INSPECTION.c.id, _a.item_id == bindparam("item")))
    .where(INSPECTION.c.id == bindparam("iid"))
)
_EDIT_MANY = _TARGET.add_columns(_drafts().label("drafts_")).where(
    INSPECTION.c.id == bindparam("iid")
)


def edit_target(tx: AnyTx, inspection_id: str, item_id: str | None) -> EditTarget | None:
    """What an edit of ``item_id`` (None: of several items) in the inspection
    ``inspection_id`` (exactly that id) reads first, in one statement; None when there is
    no such inspection."""
    conn = tx.connection()
    if item_id is None:
        row = conn.execute(_EDIT_MANY, {"iid": inspection_id}).mappings().first()
    else:
        row = conn.execute(_EDIT_ONE, {"iid": inspection_id, "item": item_id}).mappings().first()
    if row is None:
        return None
    stored = None
    if item_id is not None and row["answer_id"] is not None:
        stored = answer_of([row[label] for label in _ANSWER_LABELS])
    return EditTarget(inspection_of(row), row["content_hash_"], int(row["drafts_"]), stored)
