"""The inspection as canonical data, and its hash: what a completion freezes, a signature
binds and a report's QR code carries (``domain.inspection``; read by ``store/repo``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from inspector_app.domain.inspection import Inspection, data_hash, finding_dict
from inspector_app.store.repo import canonical as canonical_repo
from inspector_app.store.repo import inspections as inspections_repo

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

__all__ = ["canonical_data", "data_hash", "finding_dict"]


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


def canonical_data(s: Tx, insp: _Identified) -> dict[str, Any]:
    """The inspection as canonical data: what a completion freezes and a report's QR hashes.
    ``insp``: the inspection as it now stands, or anything naming it by ``id`` (then read)."""
    if not isinstance(insp, Inspection):
        found = inspections_repo.get(s, insp.id)
        if found is None:
            raise LookupError(insp.id)
        insp = found
    return canonical_repo.canonical(s, insp)
