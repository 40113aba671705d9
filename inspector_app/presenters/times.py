"""Times as people read them, by the one time rule (``timefmt``): a logged instant in the
display zone, and when a photo was taken (an instant, or the camera's own clock marked as
such)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from inspector_app import timefmt
from inspector_app.i18n import CURRENT, Translator


class Captured(Protocol):
    """What a photo keeps of when it was taken (``domain.media.Photo``)."""

    @property
    def captured_at(self) -> dt.datetime | None: ...
    @property
    def captured_local(self) -> str | None: ...
    @property
    def captured_offset(self) -> int | None: ...


def local_time(utc_iso: str) -> str:
    """A UTC timestamp (ISO 8601) in the display zone, to the second (``timefmt``)."""
    try:
        moment = dt.datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return str(utc_iso)
    return timefmt.format_instant(moment, seconds=True)


def taken_text(photo: Captured, t: Translator = CURRENT) -> str:
    """When the photo was taken (``timefmt.format_capture``); empty when it carries no time."""
    return timefmt.format_capture(
        photo.captured_at, photo.captured_local, photo.captured_offset, lang=t.language
    )
