"""The repository of findings (问题与整改): an inspection's findings, one by id, written."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnClause, Table, insert, literal_column, select, update

from inspector_app.domain.inspection import Finding
from inspector_app.domain.vocab import FindingStatus
from inspector_app.store.models import metadata

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

    from inspector_app.store.db import Tx

FINDING: Table = metadata.tables["finding"]
_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))
_f = FINDING.c


def _finding(row: RowMapping) -> Finding:
    return Finding(**{k: row[k] for k in _FIELDS})


def _columns(f: Finding) -> dict[str, Any]:
    return {k: getattr(f, k) for k in _FIELDS}


def findings(tx: Tx, inspection_id: str, *, open_only: bool = False) -> list[Finding]:
    """The inspection's findings (or its open ones) in the order they were made."""
    q = select(FINDING).where(_f.inspection_id == inspection_id)
    if open_only:
        q = q.where(_f.status == FindingStatus.OPEN.value)
    rows = tx.connection().execute(q.order_by(_f.created_at, _f.id))
    return [_finding(r) for r in rows.mappings()]


def open_as_written(tx: Tx, inspection_id: str) -> list[Finding]:
    """The inspection's open findings in the order they were written (rowid): what a
    re-inspection carries forward, written in that order again, so a package (which lists
    rows in the order written) lists the carried findings as the originals."""
    rowid: ColumnClause[int] = literal_column("finding.rowid")
    q = select(FINDING).where(
        _f.inspection_id == inspection_id, _f.status == FindingStatus.OPEN.value
    )
    rows = tx.connection().execute(q.order_by(rowid))
    return [_finding(r) for r in rows.mappings()]


def get(tx: Tx, finding_id: str) -> Finding | None:
    row = tx.connection().execute(select(FINDING).where(_f.id == finding_id)).mappings().first()
    return None if row is None else _finding(row)


def add(tx: Tx, f: Finding) -> None:
    tx.connection().execute(insert(FINDING).values(**_columns(f)))


def save(tx: Tx, f: Finding) -> None:
    """Every column of the finding as ``f`` has it."""
    values = _columns(f)
    del values["id"]
    tx.connection().execute(update(FINDING).where(_f.id == f.id).values(**values))
