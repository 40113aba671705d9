"""One open data folder: what every use case works in (as Anki's ``Collection``).

A ``Workspace`` holds the database, where the folder keeps media, keys and backups, who
is acting, and a snapshot of the settings this run reads, so a service never reads the
per-user settings file itself and what the command line prints does not depend on the
desktop's settings. The command line and the desktop open one with
``services.startup.open_workspace`` and hand it to the services.

Below the services and above the store: it knows the folder's layout, not the use cases.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.settings import Settings
from inspector_app.store.db import Database
from inspector_app.store.locks import Held


@dataclass
class Workspace:
    data_dir: Path
    db: Database
    actor: str
    # this run's settings as read at start; the desktop's Settings dialog replaces it
    settings: Settings = field(default_factory=Settings)
    desktop_lock: Held | None = None  # held while a desktop shows the folder

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def signing_dir(self) -> Path:
        return self.data_dir / "signing"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def organisation(self) -> str | None:
        """The issuing body set in the settings, None when left empty."""
        return self.settings.organisation.strip() or None

    @property
    def zone(self) -> str:
        return self.settings.timezone

    def with_settings(self, settings: Settings) -> Workspace:
        """The same folder under other settings (a snapshot each: never shared)."""
        return dataclasses.replace(self, settings=dataclasses.replace(settings))

    def close(self) -> None:
        self.db.dispose()
        if self.desktop_lock is not None:
            self.desktop_lock.release()
            self.desktop_lock = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
