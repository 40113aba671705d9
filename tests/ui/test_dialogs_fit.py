"""Every dialog fits a 1366×768 laptop screen, buttons included (issue 9 #16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QDialog, QDialogButtonBox, QWidget

from tests.ui.dialog_factories import FACTORIES, dialog_classes, make_world, show

LAPTOP = QSize(1366, 768)
TASKBAR = 40  # a Windows task bar at the bottom of that screen
TITLE_BAR = 40  # and the window manager's frame (offscreen draws only 2 px)


def laptop_area() -> QRect:
    screen = QGuiApplication.primaryScreen()
    assert screen.size() == LAPTOP, "tests/conftest.py gives the offscreen platform a laptop screen"
    return screen.availableGeometry()


def fit_problems(name: str, dialog: QWidget) -> list[str]:
    area = laptop_area()
    frame = dialog.frameGeometry()
    out = []
    if not area.contains(frame):
        out.append(f"{name}: frame {frame.getRect()} leaves the screen {area.getRect()}")
    smallest = dialog.minimumSize().expandedTo(dialog.minimumSizeHint())
    room = QSize(area.width() - 16, area.height() - TASKBAR - TITLE_BAR)
    if smallest.height() > room.height() or smallest.width() > room.width():
        out.append(f"{name}: cannot shrink below {smallest.toTuple()} to fit beside a task bar")
    inside = dialog.rect()
    controls: list[QWidget] = [
        *dialog.findChildren(QDialogButtonBox),
        *dialog.findChildren(QAbstractButton),
    ]
    for w in controls:
        if not w.isVisibleTo(dialog) or w.window() is not dialog:
            continue
        rect = QRect(w.mapTo(dialog, QPoint(0, 0)), w.size())
        if not inside.contains(rect):
            label = getattr(w, "text", lambda: "")() or type(w).__name__
            out.append(f"{name}: {label!r} at {rect.getRect()} is outside {inside.getRect()}")
    return out


def test_every_dialog_class_has_a_factory() -> None:
    classes = set(dialog_classes())
    assert len(classes) >= 12
    assert sorted(classes - set(FACTORIES)) == [], "add a factory in tests/ui/dialog_factories.py"
    assert sorted(set(FACTORIES) - classes) == []


def test_every_dialog_fits_a_laptop_screen(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    world = make_world(make_app, data_dir, tmp_path)
    classes = dialog_classes()
    problems: list[str] = []
    for name, factory in FACTORIES.items():
        dialog = factory(world)
        assert type(dialog) is classes[name]
        show(dialog, qtbot)
        problems += fit_problems(name, dialog)
        dialog.reject()
    world.window.show()
    problems += fit_problems("MainWindow", world.window)
    assert problems == []


def _saved_geometry(size: QSize, at: QPoint) -> QByteArray:
    probe = QDialog()
    probe.resize(size)
    probe.move(at)
    geometry = probe.saveGeometry()
    probe.deleteLater()
    return geometry


def test_remembered_geometry_is_kept_only_when_it_fits(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    from inspector_app.ui.dialogs import qsettings

    world = make_world(make_app, data_dir, tmp_path)
    # left by a large monitor: the report dialog comes back inside the laptop's screen
    qsettings().setValue("report/geometry", _saved_geometry(QSize(1800, 1150), QPoint(500, 300)))
    report = FACTORIES["inspector_app.ui.report.ReportDialog"](world)
    show(report, qtbot)
    assert fit_problems("report", report) == []
    assert report.save_button.isVisible() and report.sign_button.isVisible()
    report.reject()
    # a place that fits is where the dialog comes back
    qsettings().setValue("history/geometry", _saved_geometry(QSize(700, 480), QPoint(60, 50)))
    history = FACTORIES["inspector_app.ui.history.HistoryDialog"](world)
    show(history, qtbot)
    assert (history.width(), history.height()) == (700, 480)
    assert (history.geometry().topLeft() - QPoint(60, 50)).manhattanLength() <= 4
    history.reject()
