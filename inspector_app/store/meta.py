"""Small facts kept per data folder in the ``app_setting`` table.

Plain sqlite3 through ``Database.raw()``, so the start-up path needs no SQLAlchemy.
"""

from __future__ import annotations

import json
from typing import Any

from inspector_app.store.db import Database


def get_value(db: Database, key: str, default: Any = None) -> Any:
    with db.raw() as con:
        row = con.execute("SELECT value FROM app_setting WHERE key = ?", (key,)).fetchone()
    return default if row is None else json.loads(row[0])


def set_value(db: Database, key: str, value: Any) -> None:
    with db.raw() as con:
        con.execute(
            "INSERT INTO app_setting (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
        )
