"""Between a domain value (a frozen dataclass) and the row of its table, field by field:
the fields of the value are the row's columns of the same names."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from sqlmodel import SQLModel

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

RowT = TypeVar("RowT", bound=SQLModel)


class Record(Protocol):
    """A domain value with an ``id``, the primary key of its row."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def id(self) -> str: ...


def overwrite(tx: Tx, model: type[RowT], changed: Record) -> RowT:
    """Write every field of ``changed`` onto its row, which exists."""
    row = tx.get(model, changed.id)
    if row is None:  # pragma: no cover - the caller read it in this transaction
        raise LookupError(changed.id)
    for f in dataclasses.fields(changed):
        setattr(row, f.name, getattr(changed, f.name))
    tx.add(row)
    return row
