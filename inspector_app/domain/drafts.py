"""What is being typed, kept before it becomes an audited edit (``services/drafts.py``).

A pure value: the store reads and writes it (``store/repo/drafts.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

VALUE, COMMENT = "value", "comment"
KINDS = (VALUE, COMMENT)


@dataclass(frozen=True)
class Draft:
    """The text typed into one item's answer (``value``) or comment, as it stands."""

    inspection_id: str
    item_id: str
    kind: str  # VALUE | COMMENT
    text: str
    actor: str
