"""Photo evidence in the desktop: a thumbnail strip that takes files, folders, drops and
pastes; ingest in the background with progress; a viewer with zoom and next/previous."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QKeyEvent, QKeySequence, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.presenters.times import taken_text
from inspector_app.services.changes import Changes
from inspector_app.ui.dialogs import RememberingDialog, qsettings
from inspector_app.ui.operations import Operations
from inspector_app.ui.plain import plain_labels, plain_tip
from inspector_app.ui.text_colour import text_colour
from inspector_app.workspace import Workspace

ID_ROLE = Qt.ItemDataRole.UserRole + 1
IMAGE_FILTER = "*.jpg *.jpeg *.png *.JPG *.JPEG *.PNG"


def dropped_paths(mime: QMimeData) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


def pasted_image(mime: QMimeData) -> Path | None:
    """A pasted image is written to a temporary PNG so it is ingested like any file."""
    if not mime.hasImage():
        return None
    image = mime.imageData()
    if not isinstance(image, QImage) or image.isNull():
        return None
    folder = Path(tempfile.mkdtemp(prefix="inspector-paste-"))
    path = folder / "pasted.png"
    image.save(str(path))  # a PNG, by its suffix
    return path


def add_photos_in_background(
    parent: QWidget,
    ws: Workspace,
    ops: Operations,
    inspection_id: str,
    sources: Sequence[Path],
    *,
    actor: str,
    item_id: str | None = None,
    on_done: Callable[[Any], None] | None = None,
) -> None:
    """Ingest off the GUI thread with a cancellable progress dialog; report refusals."""
    from inspector_app.services.photos import add_photos

    sources = [Path(p) for p in sources]

    def work(progress: Any) -> Any:
        return add_photos(
            ws,
            inspection_id,
            sources,
            actor=actor,
            item_id=item_id,
            progress=progress,
        )

    def done(report: Any) -> None:
        if report.refused or report.duplicates:
            lines = [f"{Path(p).name}: {reason}" for p, reason in report.refused]
            lines += [
                _("{file}: already in this inspection", file=Path(p).name)
                for p in report.duplicates
            ]
            box = QMessageBox(parent)
            box.setIcon(
                QMessageBox.Icon.Warning if report.refused else QMessageBox.Icon.Information
            )
            box.setWindowTitle(_("Photos"))
            box.setTextFormat(Qt.TextFormat.PlainText)  # file names are never markup
            box.setText(
                _(
                    "{added} photos added, {refused} refused, {dupes} already there.",
                    added=len(report.added),
                    refused=len(report.refused),
                    dupes=len(report.duplicates),
                )
            )
            box.setDetailedText("\n".join(lines))
            box.setInformativeText("\n".join(lines[:8]))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        if on_done is not None:
            on_done(report)

    ops.run(
        parent,
        work,
        changes=lambda report: Changes.of(
            inspections=[inspection_id], photos=[p.id for p in report.added]
        ),
        on_done=done,
        title=_("Adding photos…"),
        cancellable=True,
        show_after_ms=300,
        source=parent,
    )


class PhotoStrip(QListWidget):
    """Thumbnails; drop files or folders here, paste with Ctrl+V, Enter opens the viewer."""

    files_dropped = Signal(list)
    open_photo = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Photos"))
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setIconSize(QSize(112, 112))
        self.setGridSize(QSize(124, 132))
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListWidget.Movement.Static)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setFixedHeight(152)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.itemActivated.connect(lambda it: self.open_photo.emit(it.data(ID_ROLE)))

    def set_photos(self, photos: Sequence[Any], ws: Workspace) -> None:
        from inspector_app.services.photos import photo_files

        self.clear()
        for p in photos:
            _original, _display, thumb = photo_files(ws, p)
            item = QListWidgetItem(QIcon(QPixmap(str(thumb))), p.caption or p.original_name)
            item.setData(ID_ROLE, p.id)
            taken = taken_text(p)
            item.setToolTip(plain_tip(f"{p.original_name}\n{taken} {p.camera or ''}".strip()))
            self.addItem(item)

    # drag and drop, paste
    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: Any) -> None:
        paths = dropped_paths(event.mimeData())
        pasted = pasted_image(event.mimeData()) if not paths else None
        if pasted is not None:
            paths = [pasted]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            super().dropEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            mime = QApplication.clipboard().mimeData()
            paths = dropped_paths(mime) or ([p] if (p := pasted_image(mime)) else [])
            if paths:
                self.files_dropped.emit(paths)
                return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem():
            self.open_photo.emit(self.currentItem().data(ID_ROLE))
            return
        super().keyPressEvent(event)


class PhotoSection(QWidget):
    """The photos of one item (or of the whole inspection) with the ways to add more."""

    add_files = Signal()
    add_folder = Signal()
    files_dropped = Signal(list)
    open_photo = Signal(str)

    def __init__(self, editable: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.strip = PhotoStrip()
        self.strip.files_dropped.connect(self.files_dropped)
        self.strip.open_photo.connect(self.open_photo)
        self.missing = QLabel()
        text_colour(self.missing, "#c45100")
        files = QPushButton(_("Add photos… (Ctrl+P)"))
        folder = QPushButton(_("Add a folder…"))
        files.clicked.connect(self.add_files)
        folder.clicked.connect(self.add_folder)
        for b in (files, folder):
            b.setEnabled(editable)
        self.strip.setAcceptDrops(editable)
        hint = QLabel(_("or drop files here, or paste with Ctrl+V"))
        text_colour(hint, "#777")
        row = QHBoxLayout()
        row.addWidget(files)
        row.addWidget(folder)
        row.addWidget(hint, 1)
        row.addWidget(self.missing)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.strip)

    def set_missing(self, missing: int) -> None:
        self.missing.setText(_("{n} more photos required", n=missing) if missing > 0 else "")


PHOTO_FOLDER_KEY = "photos/last_folder"


def _last_photo_folder() -> str:
    """Where photos were last taken from (a camera card is read item after item), else the
    home folder."""
    last = qsettings().value(PHOTO_FOLDER_KEY)
    return str(last) if isinstance(last, str) and Path(last).is_dir() else str(Path.home())


def _remember_photo_folder(folder: Path) -> None:
    qsettings().setValue(PHOTO_FOLDER_KEY, str(folder))


def choose_files(parent: QWidget) -> list[Path]:
    files, _filter = QFileDialog.getOpenFileNames(
        parent,
        _("Add photos"),
        _last_photo_folder(),
        _("Photos ({patterns})", patterns=IMAGE_FILTER),
    )
    if files:
        _remember_photo_folder(Path(files[0]).parent)
    return [Path(f) for f in files]


def choose_folder(parent: QWidget) -> list[Path]:
    folder = QFileDialog.getExistingDirectory(
        parent, _("Add a folder of photos (camera card)"), _last_photo_folder()
    )
    if folder:
        _remember_photo_folder(Path(folder).parent)
    return [Path(folder)] if folder else []


class _ZoomArea(QScrollArea):
    """The wheel zooms, as in every photo viewer; the scroll bars and arrows pan."""

    zoom = Signal(float)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom.emit(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)


class PhotoViewer(RememberingDialog):
    """Display copies one at a time: ← → for previous and next, + − 0 to zoom, caption."""

    key = "photo_viewer"
    caption_changed = Signal(str, str)  # photo id, caption

    def __init__(
        self,
        photos: Sequence[Any],
        ws: Workspace,
        start_id: str,
        editable: bool,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.photos = list(photos)
        self.ws = ws
        self.index = next((n for n, p in enumerate(self.photos) if p.id == start_id), 0)
        self.scale = 0.0  # 0: fit to the window
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area = _ZoomArea()
        self.area.setWidget(self.image)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.zoom.connect(self.zoom_by)
        self.info = QLabel()
        self.info.setWordWrap(True)
        text_colour(self.info, "#444")
        self.caption = QLineEdit()
        self.caption.setAccessibleName(_("Caption"))
        self.caption.setPlaceholderText(_("caption (what the photo shows)"))
        self.caption.setReadOnly(not editable)
        self.caption.editingFinished.connect(self._caption_done)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        prev_b, next_b = QPushButton("←"), QPushButton("→")
        prev_b.clicked.connect(lambda: self.step(-1))
        next_b.clicked.connect(lambda: self.step(1))
        for b in (prev_b, next_b):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bottom = QHBoxLayout()
        bottom.addWidget(prev_b)
        bottom.addWidget(next_b)
        bottom.addWidget(self.caption, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.info)
        layout.addLayout(bottom)
        plain_labels(self)  # a file name, a camera: data, never markup
        self.resize(max(self.width(), 1000), max(self.height(), 760))
        self.show_current()

    @property
    def current(self) -> Any:
        return self.photos[self.index]

    def show_current(self) -> None:
        from inspector_app.services.photos import photo_files

        p = self.current
        _original, display, _thumb = photo_files(self.ws, p)
        self.pixmap = QPixmap(str(display))
        self.caption.setText(p.caption or "")
        self.info.setText(
            _(
                "{n} of {total} · {name} · {w}×{h} · taken {taken} · {camera} · SHA-256 {sha}",
                n=self.index + 1,
                total=len(self.photos),
                name=p.original_name,
                w=p.width,
                h=p.height,
                taken=taken_text(p) or "—",
                camera=p.camera or "—",
                sha=p.sha256[:12],
            )
        )
        self.setWindowTitle(p.caption or p.original_name)
        self._render()

    def _render(self) -> None:
        if self.pixmap.isNull():
            self.image.setText(_("The display copy is missing."))
            return
        if self.scale == 0:
            view = self.area.viewport().size()
            scaled = self.pixmap.scaled(
                view, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        else:
            scaled = self.pixmap.scaled(
                self.pixmap.size() * self.scale,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.image.setPixmap(scaled)
        self.image.resize(scaled.size())

    def zoom_by(self, factor: float) -> None:
        if self.pixmap.isNull():
            return
        if self.scale == 0:
            view = self.area.viewport().size()
            self.scale = min(
                view.width() / self.pixmap.width(), view.height() / self.pixmap.height()
            )
        self.scale = max(0.05, min(8.0, self.scale * factor))
        self._render()

    def step(self, delta: int) -> None:
        self._caption_done()
        self.index = (self.index + delta) % len(self.photos)
        self.scale = 0
        self.show_current()

    def _caption_done(self) -> None:
        p = self.current
        text = self.caption.text().strip()
        if not self.caption.isReadOnly() and text != (p.caption or ""):
            self.caption_changed.emit(p.id, text)
            self.photos[self.index] = dataclasses.replace(p, caption=text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.caption.hasFocus() and event.key() not in (Qt.Key.Key_Escape,):
            super().keyPressEvent(event)
            return
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
            self.step(1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace):
            self.step(-1)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        elif key == Qt.Key.Key_0:
            self.scale = 0
            self._render()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.scale == 0 and hasattr(self, "pixmap"):
            self._render()
