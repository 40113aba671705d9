"""The evidence side of the checklist editor: findings, photos and who signed.

A mixin of ``ChecklistEditor`` (kept apart so the editor module stays about the answers);
it uses the editor's ``db``, ``state``, ``actor``, ``template``, ``side``, ``panel``,
``findings``, ``all_photos``, ``current``, ``dialog`` and ``_show_saved``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from inspector_app import timefmt
from inspector_app.i18n import _
from inspector_app.services import inspections as svc
from inspector_app.services.browse import list_findings
from inspector_app.services.errors import ServiceError
from inspector_app.ui.findings import FindingDialog
from inspector_app.ui.photos import PhotoViewer, add_photos_in_background, data_dir_of


class EvidenceMixin:
    # -- findings -----------------------------------------------------------------------
    def reload_findings(self) -> None:
        rows = list_findings(self.db, inspection_id=self.state.id)
        self.finding_rows = rows
        self.findings.set_rows(rows)
        open_count = sum(r["status"] == "open" for r in rows)
        self.side.setTabText(1, _("Findings (问题与整改) {open}/{n}", open=open_count, n=len(rows)))

    def toggle_findings(self) -> None:
        self.side.setCurrentIndex(1 - self.side.currentIndex())
        if self.side.currentIndex() == 1:
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
            f = svc.add_finding(self.db, self.state.id, actor=self.actor, **values)
        except ServiceError as exc:
            self._show_saved(str(exc))
            return
        self._finding_change(f.id, photo_ids, "evidence", status=status, resolution_note=note)
        self.side.setCurrentIndex(1)

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

        linked = {p.id: role for p, role in photos_of_finding(self.db, row["id"])}
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

        try:
            svc.update_finding(self.db, finding_id, actor=self.actor, **changes)
            for photo_id in photo_ids:
                link_photo_to_finding(
                    self.db, finding_id, photo_id, role=photo_role, actor=self.actor
                )
        except ServiceError as exc:
            self._show_saved(str(exc))
            return
        self.last_saved = dt.datetime.now(dt.UTC)
        self._show_saved()
        self.reload_findings()

    # -- photos -------------------------------------------------------------------------
    def reload_photos(self) -> None:
        from inspector_app.services.photos import list_photos, missing_photos

        self.photos = list(list_photos(self.db, self.state.id))
        self.missing_photos = missing_photos(self.db, self.state.id)
        self.all_photos.strip.set_photos(self.photos, data_dir_of(self.db))
        self.side.setTabText(2, _("Photos ({n})", n=len(self.photos)))
        self._show_item_photos()

    def _show_item_photos(self) -> None:
        if self.current is None or not hasattr(self, "photos"):
            return
        mine = [p for p in self.photos if p.item_id == self.current]
        self.panel.set_photos(mine, data_dir_of(self.db), self.missing_photos.get(self.current, 0))

    def add_photos(self, item_id: str | None, sources: list[Path]) -> None:
        if not sources or not self.state.editable:
            return
        add_photos_in_background(
            self,
            self.db,
            self.state.id,
            sources,
            actor=self.actor,
            item_id=item_id,
            on_done=lambda _r: self._photos_added(),
        )

    def _photos_added(self) -> None:
        self.last_saved = dt.datetime.now(dt.UTC)
        self._show_saved()
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
        viewer = PhotoViewer(photos, data_dir_of(self.db), photo_id, self.state.editable, self)
        viewer.caption_changed.connect(
            lambda pid, text: set_caption(self.db, pid, text, actor=self.actor)
        )
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.finished.connect(lambda _r: self.reload_photos())
        self.dialog = viewer
        viewer.open()

    def _signature_text(self) -> str:
        """Who signed this revision, and who still has to (Ctrl+Shift+S to sign)."""
        done = svc.signatures_of(self.db, self.state.id)
        parts = [f"{g.signer_name} ✓ {timefmt.format_instant(g.signed_at)}" for g in done]
        pending = svc.pending_signers(self.db, self.state.id)
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
