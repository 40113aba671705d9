"""The app's settings: inspector names, organisation, language, data folder.

Stored as JSON in the per-user config folder (``paths.settings_dir()``), written atomically.
Not Qt: the CLI and the PDF reports read the same file. Window geometry is the GUI's own
business and lives in QSettings beside it.

A data folder named for one run (``--data-dir`` or INSPECTOR_DATA_DIR) keeps its own
settings, in ``<folder>/settings.json``: ``use_data_folder(folder)`` points this process's
``load_settings`` and ``save_settings`` there, and the per-user file is neither read for
anything but the first defaults of a folder without settings nor ever written.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from inspector_app import paths
from inspector_app.fsutil import atomic_write_bytes
from inspector_app.i18n import CURRENT, DEFAULT_LANGUAGE, Translator, normalize_language
from inspector_app.timefmt import DEFAULT_ZONE, valid_zone

FILENAME = "settings.json"
ACTOR_ENV = "INSPECTOR_USER"


def default_organisation(t: Translator = CURRENT) -> str:
    """The issuing body a report names when Settings leaves the organisation empty, in the
    language of ``t`` (the report's)."""
    return t.tr("Weihai Municipal Science and Technology Bureau")


@dataclass
class Settings:
    language: str = DEFAULT_LANGUAGE
    inspectors: list[str] = field(default_factory=list)  # the names offered for new inspections
    organisation: str = ""  # shown on reports
    data_dir: str = ""  # empty: INSPECTOR_DATA_DIR or the per-user data folder
    recent: list[str] = field(default_factory=list)  # inspection ids, most recent first
    timezone: str = DEFAULT_ZONE  # the zone every time is shown in (stored times are UTC)

    def remember(self, inspection_id: str, keep: int = 10) -> None:
        self.recent = [inspection_id, *[r for r in self.recent if r != inspection_id]][:keep]


def default_actor() -> str:
    """Who the audit log names: INSPECTOR_USER, else the login name."""
    name = os.environ.get(ACTOR_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user database entry (containers)
        return "inspector"


_folder: Path | None = None  # a data folder given for this run keeps its own settings


def use_data_folder(folder: Path | None) -> None:
    """Keep this run's settings in ``folder`` (given with --data-dir or INSPECTOR_DATA_DIR);
    None: the per-user settings again."""
    global _folder
    _folder = Path(folder) if folder is not None else None


def data_folder() -> Path | None:
    """The data folder whose own settings this run uses, if one was given."""
    return _folder


def user_settings_path() -> Path:
    return paths.settings_dir() / FILENAME


def settings_path() -> Path:
    """Where this run's settings are: the given data folder's, else the per-user file."""
    return _folder / FILENAME if _folder is not None else user_settings_path()


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; a missing or damaged file gives the defaults (never a crash).

    A given data folder without settings yet starts from the per-user ones (names,
    organisation, language, time zone), without their data folder and recent list.
    """
    if path is None and _folder is not None and not _exists(settings_path()):
        first = _read(user_settings_path())
        first.data_dir, first.recent = "", []
        return first
    return _read(path or settings_path())


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a folder above it may not be entered: read as missing, never a crash
        return False


def _read(path: Path) -> Settings:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    known = {f.name for f in fields(Settings)}
    s = Settings(**{k: v for k, v in raw.items() if k in known})
    s.language = normalize_language(s.language)
    s.inspectors = (
        [str(n).strip() for n in s.inspectors if str(n).strip()]
        if isinstance(s.inspectors, list)
        else []
    )
    s.recent = [str(r) for r in s.recent] if isinstance(s.recent, list) else []
    s.organisation = str(s.organisation or "")
    s.data_dir = str(s.data_dir or "")
    s.timezone = str(s.timezone or "").strip()
    if not valid_zone(s.timezone):
        s.timezone = DEFAULT_ZONE
    return s


def save_settings(settings: Settings, path: Path | None = None) -> None:
    values = asdict(settings)
    if path is None and _folder is not None:
        values["data_dir"] = ""  # a folder given for a run is never anyone's default
    data = json.dumps(values, ensure_ascii=False, indent=2)
    atomic_write_bytes(path or settings_path(), data.encode("utf-8"))


def data_dir_for(settings: Settings, explicit: str | None = None) -> Path:
    """--data-dir, then INSPECTOR_DATA_DIR, then the settings, then the per-user folder."""
    given = paths.given_data_dir(explicit)
    if given is not None:
        return given
    if settings.data_dir:
        return Path(settings.data_dir).expanduser()
    return paths.default_data_dir()
