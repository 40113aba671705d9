"""The one place that knows where resources/, forms/ and the data folder are.

Works from a source checkout (editable install), an installed package with the data
directories beside it, and a PyInstaller build (``sys.frozen`` with ``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

DATA_DIR_ENV = "INSPECTOR_DATA_DIR"
FORMS_DIR_ENV = "INSPECTOR_FORMS_DIR"
DB_FILENAME = "inspector.db"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def app_root() -> Path:
    """The folder holding resources/ and forms/."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return app_root() / "resources"


def forms_dir() -> Path:
    """The templates folder: ``INSPECTOR_FORMS_DIR`` when set (a template author trying a new
    template in the desktop, or a test), else the bundled forms/."""
    env = os.environ.get(FORMS_DIR_ENV)
    return Path(env).expanduser() if env else app_root() / "forms"


def form_files(folder: Path | None = None) -> list[Path]:
    """The template files of a forms folder (default: the bundled forms/)."""
    folder = folder or forms_dir()
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def default_data_dir() -> Path:
    return Path(user_data_dir("Inspector", appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir wins, then INSPECTOR_DATA_DIR, then the per-user data folder."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def given_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The data folder named for this run (--data-dir, then INSPECTOR_DATA_DIR), if any."""
    return resolve_data_dir(explicit) if explicit or os.environ.get(DATA_DIR_ENV) else None


def settings_dir() -> Path:
    return Path(user_config_dir("Inspector", appauthor=False))
