"""One time rule for the whole app: instants are stored in UTC and shown in one zone.

* An *instant* (a signature, a completion, an audit entry, a photo whose camera wrote its
  offset) is kept as UTC. SQLite hands it back naive, and a naive instant is UTC.
* It is shown in the *display zone*: one IANA zone for the process, from the settings
  (default ``Asia/Shanghai``), the same in the window, the command line, the PDF report and
  the PAdES stamp. The report names the zone.
* A camera clock without an offset (EXIF ``DateTimeOriginal`` and no ``OffsetTime*``) is
  not an instant: it is the camera's wall time, kept and shown as the camera wrote it and
  marked as camera time, never shifted by a zone.

Pure Python: no Qt, no database. ``tzdata`` supplies the zone database where the system
has none (Windows, the frozen build).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inspector_app.i18n import tr

DEFAULT_ZONE = "Asia/Shanghai"
MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"
WALL_FORMAT = "%Y-%m-%d %H:%M:%S"  # how a camera's wall time is stored (text, no zone)

_zone_name = DEFAULT_ZONE
_zone: dt.tzinfo = ZoneInfo(DEFAULT_ZONE)
# A zone for one thread's work (a report drawn in the zone its revision was completed in),
# so the window's clock text in other threads keeps the settings' zone meanwhile.
_scoped = threading.local()


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def set_display_zone(name: str | None) -> str:
    """Make ``name`` the display zone for the rest of the process; an unknown or empty name
    gives the default. Returns the zone now in use."""
    global _zone, _zone_name
    name = (name or "").strip() or DEFAULT_ZONE
    if not valid_zone(name):
        name = DEFAULT_ZONE
    _zone_name, _zone = name, ZoneInfo(name)
    return name


@contextmanager
def zone_scope(name: str | None) -> Iterator[str]:
    """Show instants in ``name`` in this thread until the block ends; None or an unknown
    name keeps the display zone. Yields the zone in use."""
    name = (name or "").strip()
    if not name or not valid_zone(name):
        yield zone_name()
        return
    saved = getattr(_scoped, "zone", None)
    _scoped.zone = (name, ZoneInfo(name))
    try:
        yield name
    finally:
        _scoped.zone = saved


def _current() -> tuple[str, dt.tzinfo]:
    scoped = getattr(_scoped, "zone", None)
    return scoped if scoped is not None else (_zone_name, _zone)


def zone_name() -> str:
    return _current()[0]


def display_zone() -> dt.tzinfo:
    return _current()[1]


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An instant as an aware UTC datetime; naive values are UTC (as SQLite keeps them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def local(moment: dt.datetime) -> dt.datetime:
    """An instant in the display zone."""
    return as_utc(moment).astimezone(display_zone())


def format_instant(moment: dt.datetime | None, *, seconds: bool = False) -> str:
    """``2026-12-01 18:18`` in the display zone; empty for None."""
    if moment is None:
        return ""
    return local(moment).strftime(SECONDS if seconds else MINUTES)


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar day of an instant in the display zone."""
    return local(moment).date()


def iso_utc(moment: dt.datetime | None) -> str | None:
    """``2026-12-01T10:18:00Z``: an instant for machines (JSON)."""
    if moment is None:
        return None
    return as_utc(moment).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_offset_label(moment: dt.datetime | None = None) -> str:
    """``UTC+08:00`` for the display zone at ``moment`` (default: now)."""
    at = local(moment) if moment is not None else dt.datetime.now(display_zone())
    offset = at.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def zone_label(moment: dt.datetime | None = None, *, lang: str | None = None) -> str:
    """The display zone as people read it: ``北京时间（Asia/Shanghai，UTC+08:00）``, in the
    current language or ``lang``."""
    name = zone_name()
    if name == DEFAULT_ZONE:
        return tr(
            "China Standard Time ({zone}, {offset})",
            lang=lang,
            zone=name,
            offset=utc_offset_label(moment),
        )
    return f"{name} ({utc_offset_label(moment)})"


# -- camera clocks --------------------------------------------------------------------------


def parse_wall(text: str | None) -> dt.datetime | None:
    """A stored camera wall time (``WALL_FORMAT``) back as a naive datetime."""
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, WALL_FORMAT)
    except ValueError:
        return None


def format_wall(wall: dt.datetime, *, lang: str | None = None) -> str:
    """A camera's wall time as written, marked as camera time: ``2026-12-01 10:02 (camera)``,
    in the current language or ``lang``."""
    return tr("{time} (camera clock)", lang=lang, time=wall.strftime(MINUTES))


def format_capture(
    instant: dt.datetime | None,
    wall_text: str | None,
    offset_minutes: int | None,
    *,
    lang: str | None = None,
) -> str:
    """When a photo was taken, by the one rule (in the current language or ``lang``).

    A camera that wrote its offset gives an instant, shown in the display zone; a camera
    clock without one is shown as the camera's wall time; older rows that hold only an
    instant are shown as an instant. Empty when the photo carries no time.
    """
    wall = parse_wall(wall_text)
    if wall is not None and offset_minutes is not None:
        zone = dt.timezone(dt.timedelta(minutes=offset_minutes))
        return format_instant(wall.replace(tzinfo=zone))
    if wall is not None:
        return format_wall(wall, lang=lang)
    if instant is not None:
        return format_instant(instant)
    return ""
