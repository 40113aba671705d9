"""The evidence side of the checklist editor: findings, photos and who signed.

The base of ``ChecklistEditor`` (kept apart so the editor module stays about the answers):
it builds the Findings and Photos tabs and does what they ask. What it uses of the editor is
declared below; the editor sets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from inspector_app import timefmt
from inspector_app.domain.checklists.schema import ChecklistTemplate
from inspector_app.domain.checklists.scoring import ScoreResult
from inspector_app.i18n import _
from inspector_app.services import findings as findings_svc
from inspector_app.services import signatures as signatures_svc
from inspector_app.services.browse import list_findings
from inspector_app.services.changes import Changes
from inspector_app.services.errors import ServiceError
from inspector_app.services.inspection_views import InspectionState
from inspector_app.ui.editor.panel import ItemPanel
from inspector_app.ui.finding_dialog import FindingDialog
from inspector_app.ui.findings import FindingsPanel
from inspector_app.ui.operations import Operations
from inspector_app.ui.photos import (
    PhotoSection,
    PhotoViewer,
    add_photos_in_background,
    choose_files,
    choose_folder,
)
from inspector_app.workspace import Workspace


class EvidenceMixin(QWidget):
    # set by ChecklistEditor
    ws: Workspace
    ops: Operations  # every write goes through it (ui/operations.py)
    state: InspectionState
    actor: str
    template: ChecklistTemplate
    score: ScoreResult
    current: str | None  # the item shown in the panel
    dialog: QWidget | None  # the dialog open over the editor
    last_saved: dt.datetime | None
    side: QTabWidget
    panel: ItemPanel
    flush: Callable[[], None]  # commit what is being typed
    _show_saved: Callable[[str | None], None]  # the save state, or the error given
    # set here
    finding_rows: list[dict[str, Any]]
    photos: list[Any]
    missing_photos: dict[str, int]
    _strip_stale: bool
    _findings: FindingsPanel | None
    _all_photos: PhotoSection | None
    _tab_layouts: dict[int, QVBoxLayout]  # the Findings and Photos tabs' pages

    FINDINGS_TAB, PHOTOS_TAB = 1, 2

    def _build_evidence(self) -> None:
        """The Findings and Photos tabs of ``side``, after its Item tab, as empty pages
        filled the first time either shows (or is asked for): an inspection opens on its
        Item tab, and the tables and strips of the other two would be built, polished and
        laid out for nothing. And what the item panel asks of the photos and findings."""
        self.panel.add_photo_files.connect(lambda i: self.add_photos(i, choose_files(self)))
        self.panel.add_photo_folder.connect(lambda i: self.add_photos(i, choose_folder(self)))
        self.panel.photos_dropped.connect(self.add_photos)
        self.panel.open_photo.connect(lambda pid: self.view_photo(pid, item_only=True))
        self.panel.mark_corrected.connect(self.mark_corrected)
        self._findings = None
        self._all_photos = None
        self.finding_rows = []
        self._tab_layouts = {}
        for index, title in (
            (self.FINDINGS_TAB, _("Findings (问题与整改)")),
            (self.PHOTOS_TAB, _("Photos")),
        ):
            page = QWidget()
            self._tab_layouts[index] = QVBoxLayout(page)
            self.side.insertTab(index, page, title)
        self._tab_layouts[self.FINDINGS_TAB].setContentsMargins(0, 0, 0, 0)  # the panel's own
        self.photos = []
        self.missing_photos = {}
        self._strip_stale = False  # the Photos tab's thumbnails are read when it shows
        self.side.currentChanged.connect(self._tab_shown)
        self.reload_findings()

    def _tab_shown(self, index: int) -> None:
        if index == self.FINDINGS_TAB:
            self._findings_panel()
        elif index == self.PHOTOS_TAB:
            self._photos_section()
        self._fill_photo_strip()

    @property
    def findings(self) -> FindingsPanel:
        """The Findings tab's panel, built on first use."""
        return self._findings_panel()

    def _findings_panel(self) -> FindingsPanel:
        if self._findings is None:
            panel = self._findings = FindingsPanel(self.template, self.state.editable)
            panel.add_requested.connect(lambda: self.record_finding(None))
            panel.edit_requested.connect(self.edit_finding)
            panel.status_requested.connect(
                lambda row, status: self._finding_change(row["id"], status=status)
            )
            panel.set_rows(self.finding_rows)
            self._tab_layouts[self.FINDINGS_TAB].addWidget(panel)
        return self._findings

    @property
    def all_photos(self) -> PhotoSection:
        """The Photos tab's section (every photo of the inspection), built on first use."""
        return self._photos_section()

    def _photos_section(self) -> PhotoSection:
        if self._all_photos is None:
            section = self._all_photos = PhotoSection(self.state.editable)
            section.add_files.connect(lambda: self.add_photos(None, choose_files(self)))
            section.add_folder.connect(lambda: self.add_photos(None, choose_folder(self)))
            section.files_dropped.connect(lambda paths: self.add_photos(None, paths))
            section.open_photo.connect(self.view_photo)
            layout = self._tab_layouts[self.PHOTOS_TAB]
            layout.addWidget(
                QLabel(
                    _(
                        "Every photo of this inspection; photos added here belong to the "
                        "inspection as a whole."
                    )
                )
            )
            layout.addWidget(section)
            layout.addStretch(1)
        return self._all_photos

    # -- findings -----------------------------------------------------------------------
    def reload_findings(self) -> None:
        rows = list_findings(self.ws, inspection_id=self.state.id)
        self.finding_rows = rows
        if self._findings is not None:
            self._findings.set_rows(rows)
        open_count = sum(r["status"] == "open" for r in rows)
        self.side.setTabText(
            self.FINDINGS_TAB, _("Findings (问题与整改) {open}/{n}", open=open_count, n=len(rows))
        )

    def toggle_findings(self) -> None:
        shown = self.side.currentIndex() == self.FINDINGS_TAB
        self.side.setCurrentIndex(0 if shown else self.FINDINGS_TAB)
        if not shown:
            self.findings.table.setFocus()
        else:
            self.panel.focus_answer()

    def record_finding(self, item_id: str | None) -> None:
        if not self.state.editable:
            return
        self.flush()
        if item_id in {v.id for v in self.template.vetoes}:
            item_id = None
        dialog = FindingDialog(self.template, self, item_id=item_id, photos=self.photos)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._add_finding(dialog.values(), dialog.new_photo_links())
        )
        self.dialog = dialog
        dialog.open()

    def _add_finding(self, values: dict[str, Any], photo_ids: list[str]) -> None:
        status, note = values.pop("status"), values.pop("resolution_note")
        try:
            f = self.ops.do(
                lambda: findings_svc.add_finding(
                    self.ws, self.state.id, actor=self.actor, **values
                ),
                changes=lambda f: Changes.of(inspections=[self.state.id], findings=[f.id]),
                source=self,
            )
        except ServiceError as exc:
            self._show_saved(str(exc))
            return
        self._finding_change(f.id, photo_ids, "evidence", status=status, resolution_note=note)
        self.side.setCurrentIndex(self.FINDINGS_TAB)

    def offer_corrected(self, item_id: str) -> None:
        """复查: a finding carried from the last visit whose item now earns full marks, and is
        still open: the item panel offers to mark it corrected (one key, or leave it)."""
        score = self.score.items.get(item_id)
        full = bool(
            score and score.applicable and score.max_points and score.points >= score.max_points
        )
        rows = [
            r
            for r in getattr(self, "finding_rows", [])
            if r["item_id"] == item_id and r["carried_from"] and r["status"] == "open"
        ]
        if item_id != self.current:
            return
        if not (full and rows):
            self.panel.offer_corrected(None)
            return
        self.panel.offer_corrected(rows[0])

    def mark_corrected(self, finding_id: str) -> None:
        self._finding_change(
            finding_id,
            status="corrected",
            resolution_note=_("Re-inspection: the item now earns full marks."),
        )
        self.panel.offer_corrected(None)

    def edit_finding(self, row: dict[str, Any]) -> None:
        if not self.state.editable:
            return
        from inspector_app.services.photos import photos_of_finding

        linked = {p.id: role for p, role in photos_of_finding(self.ws, row["id"])}
        dialog = FindingDialog(self.template, self, finding=row, photos=self.photos, linked=linked)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._finding_change(
                row["id"],
                photo_ids=dialog.new_photo_links(),
                photo_role="after" if dialog.after else "evidence",
                **dialog.values(),
            )
        )
        self.dialog = dialog
        dialog.open()

    def _finding_change(
        self,
        finding_id: str,
        photo_ids: list[str] | tuple[str, ...] = (),
        photo_role: str = "evidence",
        **changes: Any,
    ) -> None:
        from inspector_app.services.photos import link_photo_to_finding

        def write() -> None:
            findings_svc.update_finding(self.ws, finding_id, actor=self.actor, **changes)
            for photo_id in photo_ids:
                link_photo_to_finding(
                    self.ws, finding_id, photo_id, role=photo_role, actor=self.actor
                )

        try:
            self.ops.do(
                write,
                changes=lambda _r: Changes.of(
                    inspections=[self.state.id], findings=[finding_id], photos=photo_ids
                ),
                source=self,
            )
        except ServiceError as exc:
            self._show_saved(str(exc))
            return
        self.last_saved = dt.datetime.now(dt.UTC)
        self._show_saved(None)
        self.reload_findings()

    # -- photos -------------------------------------------------------------------------
    def reload_photos(self) -> None:
        from inspector_app.services.photos import list_photos, photos_still_missing

        self.photos = list(list_photos(self.ws, self.state.id))
        # from what the editor holds already (its template and score), not read again
        self.missing_photos = photos_still_missing(
            self.template, self.score, (p.item_id for p in self.photos)
        )
        self._strip_stale = True
        self._fill_photo_strip()
        self.side.setTabText(self.PHOTOS_TAB, _("Photos ({n})", n=len(self.photos)))
        self._show_item_photos()

    def _fill_photo_strip(self) -> None:
        """The Photos tab's thumbnails, once it shows (every photo's thumbnail decoded: not
        while an inspection opens on its first item)."""
        if self._strip_stale and self.side.currentIndex() == self.PHOTOS_TAB:
            self.all_photos.strip.set_photos(self.photos, self.ws)
            self._strip_stale = False

    def _show_item_photos(self) -> None:
        if self.current is None or not hasattr(self, "photos"):
            return
        mine = [p for p in self.photos if p.item_id == self.current]
        self.panel.set_photos(mine, self.ws, self.missing_photos.get(self.current, 0))

    def add_photos(self, item_id: str | None, sources: list[Path]) -> None:
        if not sources or not self.state.editable:
            return
        add_photos_in_background(
            self,
            self.ws,
            self.ops,
            self.state.id,
            sources,
            actor=self.actor,
            item_id=item_id,
            on_done=lambda _r: self._photos_added(),
        )

    def _photos_added(self) -> None:
        self.last_saved = dt.datetime.now(dt.UTC)
        self._show_saved(None)
        self.reload_photos()

    def view_photo(self, photo_id: str, item_only: bool = False) -> None:
        """The viewer over the inspection's photos, or (from an item) over that item's."""
        from inspector_app.services.photos import set_caption

        photos = self.photos
        if item_only:
            item = next((p.item_id for p in photos if p.id == photo_id), None)
            photos = [p for p in photos if p.item_id == item]
        if not photos:
            return
        viewer = PhotoViewer(photos, self.ws, photo_id, self.state.editable, self)
        viewer.caption_changed.connect(
            lambda pid, text: self.ops.do(
                lambda: set_caption(self.ws, pid, text, actor=self.actor),
                changes=lambda _p: Changes.of(inspections=[self.state.id], photos=[pid]),
                source=self,
            )
        )
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.finished.connect(lambda _r: self.reload_photos())
        self.dialog = viewer
        viewer.open()

    def _signature_text(self) -> str:
        """Who signed this revision, and who still has to (Ctrl+Shift+S to sign)."""
        done = signatures_svc.signatures_of(self.ws, self.state.id)
        parts = [f"{g.signer_name} ✓ {timefmt.format_instant(g.signed_at)}" for g in done]
        pending = signatures_svc.pending_signers(self.ws, self.state.id)
        parts += [
            _("{name} not signed yet", name=name or _("site representative"))
            for name, _role in pending
        ]
        text = _(
            "Signatures on revision {rev}: {list}", rev=self.state.revision, list="；".join(parts)
        )
        if pending and self.state.status in ("completed", "signed"):
            text += _(" · Ctrl+Shift+S to sign")
        return text
