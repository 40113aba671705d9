"""The repository of drawn signatures: one recorded, those given on a revision."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlalchemy import Table, insert, select

from inspector_app.domain.inspection import Signature
from inspector_app.store.models import metadata

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

SIGNATURE: Table = metadata.tables["signature"]
_FIELDS = tuple(f.name for f in dataclasses.fields(Signature))
_s = SIGNATURE.c


def add(tx: Tx, sig: Signature) -> None:
    tx.connection().execute(insert(SIGNATURE).values(**{k: getattr(sig, k) for k in _FIELDS}))


def signatures(tx: Tx, inspection_id: str, revision: int | None = None) -> list[Signature]:
    """The signatures given on the inspection (on ``revision`` only, if given), the first
    first."""
    q = select(SIGNATURE).where(_s.inspection_id == inspection_id)
    if revision is not None:
        q = q.where(_s.inspection_revision == revision)
    rows = tx.connection().execute(q.order_by(_s.signed_at)).mappings()
    return [Signature(**{k: r[k] for k in _FIELDS}) for r in rows]
