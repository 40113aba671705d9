"""Photos as evidence: a photo of an inspection (maybe of one of its items) and the links
that show a finding with one.

Pure values: the store reads and writes them (``store/repo/photos.py``); the files live in
the media store under the photo's SHA-256 (``media/store.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from inspector_app.domain.ids import new_id as _new_id
from inspector_app.domain.ids import utcnow as _now


@dataclass(frozen=True)
class Photo:
    """A photo attached to an inspection (and maybe to one item). The original is kept
    byte-identical under its SHA-256; display copy and thumbnail beside it."""

    inspection_id: str
    sha256: str
    item_id: str | None = None
    original_name: str = ""
    media_type: str = "image/jpeg"
    byte_size: int = 0
    width: int = 0
    height: int = 0
    # when it was taken (timefmt): an instant in UTC, known when the camera wrote its offset;
    # the camera's wall time as it wrote it ("YYYY-MM-DD HH:MM:SS"); minutes east of UTC
    captured_at: dt.datetime | None = None
    captured_local: str | None = None
    captured_offset: int | None = None
    camera: str | None = None
    caption: str | None = None
    id: str = field(default_factory=_new_id)
    created_at: dt.datetime = field(default_factory=_now)
    revision: int = 1
    base_revision: int = 0


@dataclass(frozen=True)
class FindingPhoto:
    """A photo that shows a finding: as found (``evidence``) or after correction (``after``)."""

    finding_id: str
    photo_id: str
    role: str = "evidence"
    created_at: dt.datetime = field(default_factory=_now)
