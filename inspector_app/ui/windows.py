"""Top-level windows on a small screen: where their state is kept (``qsettings``) and how
they are fitted to the screen they open on (a 1366×768 laptop too)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from inspector_app import paths


def qsettings() -> QSettings:
    """Window state only; the app's settings proper are in inspector_app.settings."""
    return QSettings(str(paths.settings_dir() / "window.ini"), QSettings.Format.IniFormat)


# Room for the window manager's title bar and borders, not known before a window is shown.
FRAME_ALLOWANCE = (16, 40)


def available_area(window: QWidget) -> QRect:
    """The free part (without task bars) of the screen the window is on or will open on."""
    parent = window.parentWidget()
    screen = (parent.window().screen() if parent is not None else None) or window.screen()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(window: QWidget, remembered: bool = False) -> None:
    """Shrink a top-level window to its screen (a 1366×768 laptop too), frame included.

    A ``remembered`` (restored) place is kept only if the whole window fits there; else the
    window is centred on its parent or the screen. Qt places the others (a dialog over its
    parent, inside the screen).
    """
    area = available_area(window)
    frame = window.frameGeometry()
    if window.isVisible() and frame.size() != window.size():
        extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    else:
        extra_w, extra_h = FRAME_ALLOWANCE
    width = min(window.width(), area.width() - extra_w)
    height = min(window.height(), area.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    if not remembered:
        return
    outer = QRect(window.pos(), QSize(width + extra_w, height + extra_h))
    if area.contains(outer):
        return
    parent = window.parentWidget()
    centre = parent.window().frameGeometry().center() if parent is not None else area.center()
    outer.moveCenter(centre)
    x = max(area.left(), min(outer.left(), area.right() + 1 - outer.width()))
    y = max(area.top(), min(outer.top(), area.bottom() + 1 - outer.height()))
    window.move(QPoint(x, y))
