"""The one time rule: instants in UTC, shown in the display zone; camera clocks as written."""

import datetime as dt

import pytest

from inspector_app import timefmt


@pytest.fixture(autouse=True)
def _default_zone():
    timefmt.set_display_zone(None)
    yield
    timefmt.set_display_zone(None)


def test_a_naive_instant_is_utc_and_shown_in_beijing_time():
    moment = dt.datetime(2026, 12, 1, 18, 18)  # as SQLite gives it back: naive UTC
    assert timefmt.format_instant(moment) == "2026-12-02 02:18"
    assert timefmt.local_date(moment) == dt.date(2026, 12, 2)
    assert timefmt.iso_utc(moment) == "2026-12-01T18:18:00Z"


def test_an_aware_instant_is_converted_not_relabelled():
    moment = dt.datetime(2026, 12, 1, 10, 2, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert timefmt.format_instant(moment) == "2026-12-01 10:02"
    assert timefmt.iso_utc(moment) == "2026-12-01T02:02:00Z"


def test_the_display_zone_is_configurable_and_unknown_zones_fall_back():
    assert timefmt.set_display_zone("Europe/Berlin") == "Europe/Berlin"
    assert timefmt.format_instant(dt.datetime(2026, 7, 1, 12, 0)) == "2026-07-01 14:00"
    assert timefmt.zone_label(dt.datetime(2026, 7, 1)) == "Europe/Berlin (UTC+02:00)"
    assert timefmt.set_display_zone("Mars/Olympus") == timefmt.DEFAULT_ZONE
    assert timefmt.set_display_zone("") == timefmt.DEFAULT_ZONE


def test_a_camera_clock_without_offset_is_shown_as_written():
    shown = timefmt.format_capture(None, "2026-12-01 10:02:33", None)
    assert shown.startswith("2026-12-01 10:02")
    assert shown != "2026-12-01 10:02"  # marked as the camera's clock


def test_a_camera_clock_with_offset_is_an_instant():
    # a camera in Berlin (+01:00) at 03:02 is 10:02 in Beijing
    assert timefmt.format_capture(None, "2026-12-01 03:02:00", 60) == "2026-12-01 10:02"


def test_older_rows_with_only_an_instant():
    assert timefmt.format_capture(dt.datetime(2026, 12, 1, 2, 2), None, None) == "2026-12-01 10:02"
    assert timefmt.format_capture(None, None, None) == ""
