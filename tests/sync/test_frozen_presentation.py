"""A revision's report names the organisation and zone it was completed under, wherever and
whenever it is made again: on the laptop after its settings change, and at headquarters with
settings of its own. Real data folders, a real package, real PDFs read with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app import settings, timefmt
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.demo import demo_id, load_demo
from inspector_app.services.reports import render_report_bytes
from inspector_app.services.sync import export_package, import_package
from inspector_app.services.templates import sync_forms
from inspector_app.store.db import Database, open_database
from inspector_app.sync.strict import PackageRejected
from inspector_app.workspace import Workspace
from tests.sync.helpers import repack

COMPLETED = demo_id("inspection", "pb-2024-1")
ORGANISATION = "威海火炬高技术产业开发区科技局"
ZONE = "Asia/Urumqi"  # UTC+06:00: every time on the report differs from Beijing time


def _use(folder: Path, organisation: str, zone: str) -> None:
    settings.use_data_folder(folder)
    s = settings.load_settings()
    s.organisation, s.timezone = organisation, zone
    settings.save_settings(s)
    timefmt.set_display_zone(zone)


@pytest.fixture(scope="module")
def laptop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path, Path]]:
    """The sample data completed under the laptop's settings, and a package of it."""
    laptop = tmp_path_factory.mktemp("laptop") / "data"
    try:
        _use(laptop, ORGANISATION, ZONE)
        ldb = open_database(laptop)
        sync_forms(ldb)
        load_demo(ldb)  # its inspections are completed under these settings
        pkg = tmp_path_factory.mktemp("usb") / "all.inspkg"
        export_package(Workspace(laptop, ldb, "张工"), pkg)
        yield ldb, laptop, pkg
        ldb.dispose()
    finally:
        settings.use_data_folder(None)
        timefmt.set_display_zone(None)


@pytest.fixture
def folders(laptop, tmp_path: Path) -> Iterator[tuple[Database, Path, Database, Path, Path]]:
    ldb, ldata, pkg = laptop
    hq = tmp_path / "hq"
    try:
        _use(hq, "", timefmt.DEFAULT_ZONE)
        hdb = open_database(hq)
        sync_forms(hdb)
        yield ldb, ldata, hdb, hq, pkg
        hdb.dispose()
    finally:
        timefmt.set_display_zone(None)


def _text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_report_of_a_revision_prints_what_it_was_completed_under(folders, tmp_path) -> None:
    ldb, laptop, hdb, hq, pkg = folders
    _use(laptop, ORGANISATION, ZONE)
    before = render_report_bytes(ldb, COMPLETED)
    text = _text(before, tmp_path)
    assert ORGANISATION in text and ZONE in text and "UTC+06:00" in text
    # the laptop's settings change: the report of the revision does not
    _use(laptop, "另一个单位", "Europe/Berlin")
    assert render_report_bytes(ldb, COMPLETED) == before
    # headquarters, with its own settings, makes the same bytes
    _use(hq, "", timefmt.DEFAULT_ZONE)
    import_package(Workspace(hq, hdb, "总部"), pkg)
    assert render_report_bytes(hdb, COMPLETED) == before
    detail = views_svc.inspection_detail(hdb, COMPLETED)
    assert [(r["organisation"], r["display_zone"]) for r in detail["revisions"]] == [
        (ORGANISATION, ZONE)
    ]


def test_a_draft_follows_the_settings_of_the_day(folders, tmp_path) -> None:
    ldb, laptop, *_ = folders
    draft = demo_id("inspection", "pb-2024-5")
    _use(laptop, "另一个单位", "Europe/Berlin")
    text = _text(render_report_bytes(ldb, draft), tmp_path)
    assert "另一个单位" in text and "Europe/Berlin" in text and ORGANISATION not in text


def _drop_presentation(doc: dict) -> None:
    """What an app before the columns wrote: records format 1 without them (sync/wire.py)."""
    del doc["format_version"]
    doc["format"] = 1
    for bundle in doc["inspections"]:
        for r in bundle["revisions"]:
            del r["organisation"], r["display_zone"]


def test_a_package_from_before_the_columns_is_read_with_none(folders, tmp_path) -> None:
    _ldb, laptop, hdb, hq, pkg = folders
    old = repack(pkg, tmp_path / "old.inspkg", laptop, _drop_presentation)
    import_package(Workspace(hq, hdb, "总部"), old)
    detail = views_svc.inspection_detail(hdb, COMPLETED)
    assert [(r["organisation"], r["display_zone"]) for r in detail["revisions"]] == [(None, None)]
    # without them the report follows headquarters' settings, as before the columns
    assert "Asia/Shanghai" in _text(render_report_bytes(hdb, COMPLETED), tmp_path)


@pytest.mark.parametrize(
    ("field", "value", "expect"),
    [
        (
            "display_zone",
            "Mars/Olympus_Mons",
            "display_zone: unknown time zone 'Mars/Olympus_Mons'",
        ),
        ("organisation", "局" * 201, "organisation: longer than 200 characters"),
    ],
    ids=["unknown zone", "long organisation"],
)
def test_a_bad_presentation_in_a_package_is_refused_naming_the_field(
    folders, tmp_path, field: str, value: str, expect: str
) -> None:
    _ldb, laptop, hdb, hq, pkg = folders

    def edit(doc: dict) -> None:
        doc["inspections"][0]["revisions"][0][field] = value

    bad = repack(pkg, tmp_path / "bad.inspkg", laptop, edit)
    with pytest.raises(PackageRejected) as e:
        import_package(Workspace(hq, hdb, "总部"), bad)
    assert f"inspections[0].revisions[0].{expect}" in str(e.value)
