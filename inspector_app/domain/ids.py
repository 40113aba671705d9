"""Ids and times of records: a random UUID, and the current instant in UTC to the second
(as SQLite keeps it). One definition for the domain values and the tables."""

from __future__ import annotations

import datetime as dt
import uuid


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
