"""What a write changed, so each screen refreshes only what concerns it (Anki's OpChanges).

Every write the desktop runs as an operation (``ui/operations.py``) comes back with a
``Changes``; the window broadcasts it, and the browser, the editor and the dialogs each look
at the parts they show. Ids are full inspection / site / finding / photo ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    inspections: frozenset[str] = field(default_factory=frozenset)
    sites: frozenset[str] = field(default_factory=frozenset)
    findings: frozenset[str] = field(default_factory=frozenset)
    photos: frozenset[str] = field(default_factory=frozenset)
    templates: bool = False  # forms pinned or a template version arrived
    conflicts: bool = False  # a package conflict was recorded or decided
    everything: bool = False  # the data folder itself changed (another folder opened)

    @classmethod
    def of(
        cls,
        *,
        inspections: Iterable[str] = (),
        sites: Iterable[str] = (),
        findings: Iterable[str] = (),
        photos: Iterable[str] = (),
        templates: bool = False,
        conflicts: bool = False,
    ) -> Changes:
        return cls(
            frozenset(inspections),
            frozenset(sites),
            frozenset(findings),
            frozenset(photos),
            templates,
            conflicts,
        )

    @classmethod
    def all(cls) -> Changes:
        return cls(everything=True)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.inspections | other.inspections,
            self.sites | other.sites,
            self.findings | other.findings,
            self.photos | other.photos,
            self.templates or other.templates,
            self.conflicts or other.conflicts,
            self.everything or other.everything,
        )

    def __bool__(self) -> bool:
        return bool(
            self.everything
            or self.templates
            or self.conflicts
            or self.inspections
            or self.sites
            or self.findings
            or self.photos
        )

    def touches_inspection(self, inspection_id: str | None) -> bool:
        """Whether what a screen shows of ``inspection_id`` may be out of date."""
        return self.everything or (inspection_id is not None and inspection_id in self.inspections)

    def touches_lists(self) -> bool:
        """Whether the browser's lists (inspections and their scores, sites, open findings)
        may be."""
        return bool(
            self.everything or self.inspections or self.sites or self.findings or self.templates
        )
