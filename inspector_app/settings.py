"""The app's settings: inspector names, organisation, language, data folder.

Stored as JSON in the per-user config folder (``paths.settings_dir()``), written atomically.
Not Qt: the CLI and the PDF reports read the same file. Window geometry is the GUI's own
business and lives in QSettings beside it.
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
from inspector_app.i18n import DEFAULT_LANGUAGE, normalize_language
from inspector_app.timefmt import DEFAULT_ZONE, valid_zone

FILENAME = "settings.json"
ACTOR_ENV = "INSPECTOR_USER"


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


def settings_path() -> Path:
    return paths.settings_dir() / FILENAME


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; a missing or damaged file gives the defaults (never a crash)."""
    path = path or settings_path()
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
    data = json.dumps(asdict(settings), ensure_ascii=False, indent=2)
    atomic_write_bytes(path or settings_path(), data.encode("utf-8"))


def data_dir_for(settings: Settings, explicit: str | None = None) -> Path:
    """--data-dir, then INSPECTOR_DATA_DIR, then the settings, then the per-user folder."""
    if explicit or os.environ.get(paths.DATA_DIR_ENV):
        return paths.resolve_data_dir(explicit)
    if settings.data_dir:
        return Path(settings.data_dir).expanduser()
    return paths.default_data_dir()
