"""A package cannot plant what the services refuse: every free text has the same cap on
import (inspector_app.limits), and one audit entry of a history is capped in size. The
records of a real package (the sample data) are edited and checked by the same function an
import runs; one hostile package is imported end to end."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector_app.services.sync import PackageRejected, export_package, import_package
from inspector_app.store.audit import row_hash
from inspector_app.store.db import open_database
from inspector_app.sync import checks, wire
from inspector_app.sync.identity import device_identity
from inspector_app.sync.package import open_package, read_manifest, write_package
from inspector_app.workspace import Workspace
from tests.conftest import prepared_folder
from tests.services.helpers import db_fingerprint


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, dict, set]]:
    """The sample data exported once: (data folder, package, its records, its media)."""
    data = tmp_path_factory.mktemp("laptop") / "data"
    db = open_database(prepared_folder(data, demo=True))
    pkg = tmp_path_factory.mktemp("usb") / "all.inspkg"
    export_package(Workspace(data, db, "张工"), pkg)
    db.dispose()
    staging = tmp_path_factory.mktemp("staging") / "s"
    opened = open_package(pkg, staging)
    doc = opened.read_json(wire.RECORDS_MEMBER)
    media = {f.path for f in opened.manifest.files if f.path.startswith("media/")}
    checks.check_document(copy.deepcopy(doc), media)  # the package as exported is fine
    yield data, pkg, doc, media


def _with(part: str) -> Callable[[dict], dict]:
    return lambda doc: next(b for b in doc["inspections"] if b[part])


def _grow_entry(doc: dict) -> None:
    """A history entry whose own hash still checks, 100 KB of it a 'new value'."""
    bundle = _with("history")(doc)
    e = dict(bundle["history"][0], new=json.dumps("改" * 100_000, ensure_ascii=False))
    values = {k: e[k] for k in wire.HISTORY_KEYS if k not in ("prev_hash", "hash")}
    e["hash"] = row_hash(values, e["prev_hash"])
    bundle["history"][0] = e


def _plant_in_frozen_data(doc: dict) -> None:
    bundle = _with("revisions")(doc)
    data = json.loads(bundle["revisions"][0]["data_json"])
    data["answers"][0]["comment"] = "x" * 10_000_000
    bundle["revisions"][0]["data_json"] = json.dumps(data, ensure_ascii=False)


def _text_answer(doc: dict) -> dict:
    return next(
        a
        for b in doc["inspections"]
        for a in b["answers"]
        if a["value_json"]
        and json.loads(a["value_json"]).__class__ is str
        and len(json.loads(a["value_json"])) > 8
    )


def _surrogate_in_frozen_data(doc: dict) -> None:
    """JSON text inside a record's string: its escapes were not checked (the package's own
    JSON refuses lone surrogates), and a report of it at HQ was a UnicodeEncodeError."""
    bundle = _with("revisions")(doc)
    data = json.loads(bundle["revisions"][0]["data_json"])
    data["answers"][0]["comment"] = "\udcff"
    bundle["revisions"][0]["data_json"] = json.dumps(data, ensure_ascii=True)


def _surrogate_in_history(doc: dict) -> None:
    bundle = _with("history")(doc)
    e = dict(bundle["history"][0], new='"\\udcff"')
    values = {k: e[k] for k in wire.HISTORY_KEYS if k not in ("prev_hash", "hash")}
    e["hash"] = row_hash(values, e["prev_hash"])
    bundle["history"][0] = e


CASES: list[tuple[str, Callable[[dict], None], str]] = [
    (
        "a 10 MB comment",
        lambda d: _with("answers")(d)["answers"][0].update(comment="评" * 10_000_000),
        "answers[0].comment: longer than 4000 characters",
    ),
    (
        "a long finding",
        lambda d: _with("findings")(d)["findings"][0].update(description="述" * 2001),
        "findings[0].description: longer than 2000 characters",
    ),
    (
        "a long requirement",
        lambda d: _with("findings")(d)["findings"][0].update(requirement="求" * 2001),
        "findings[0].requirement: longer than 2000 characters",
    ),
    (
        "a long responsible person",
        lambda d: _with("findings")(d)["findings"][0].update(responsible="人" * 51),
        "findings[0].responsible: longer than 50 characters",
    ),
    (
        "a long signer",
        lambda d: _with("signatures")(d)["signatures"][0].update(signer_name="签" * 51),
        "signatures[0].signer_name: longer than 50 characters",
    ),
    (
        "a long caption",
        lambda d: _with("photos")(d)["photos"][0].update(caption="注" * 201),
        "photos[0].caption: longer than 200 characters",
    ),
    (
        "a long amend reason",
        lambda d: d["inspections"][0]["inspection"].update(amend_reason="因" * 1001),
        "inspection.amend_reason: longer than 1000 characters",
    ),
    (
        "eleven inspectors",
        lambda d: d["inspections"][0]["inspection"].update(
            inspectors=json.dumps([f"人{n}" for n in range(11)], ensure_ascii=False)
        ),
        "inspection.inspectors: expected a list of 1 to 10 names of at most 50 characters",
    ),
    (
        "a long inspector name",
        lambda d: d["inspections"][0]["inspection"].update(
            inspectors=json.dumps(["王" * 51], ensure_ascii=False)
        ),
        "inspection.inspectors: expected a list of 1 to 10 names",
    ),
    (
        "a 10 MB text answer",
        lambda d: next(
            a
            for b in d["inspections"]
            for a in b["answers"]
            if a["value_json"]
            and json.loads(a["value_json"]).__class__ is str
            and len(json.loads(a["value_json"])) > 8
        ).update(value_json=json.dumps("答" * 10_000_000, ensure_ascii=False)),
        "value_json: holds a text longer than 4000 characters",
    ),
    (
        "a 10 MB comment in the frozen data",
        _plant_in_frozen_data,
        "revisions[0].data_json: holds a text longer than 4000 characters",
    ),
    ("a 100 KB history entry", _grow_entry, "history[0]: the audit entry is larger than 65,536"),
    (
        "a long actor",
        lambda d: _with("revisions")(d)["revisions"][0].update(completed_by="甲" * 201),
        "revisions[0].completed_by: longer than 200 characters",
    ),
    (
        "a lone surrogate in a text answer",
        lambda d: _text_answer(d).update(value_json='"\\udcff"'),
        "value_json: holds text that is not valid Unicode (a lone surrogate)",
    ),
    (
        "a lone surrogate in the frozen data",
        _surrogate_in_frozen_data,
        "revisions[0].data_json: holds text that is not valid Unicode (a lone surrogate)",
    ),
    (
        "a lone surrogate in the inspectors",
        lambda d: d["inspections"][0]["inspection"].update(inspectors='["\\ud800\u738b"]'),
        "inspection.inspectors: holds text that is not valid Unicode (a lone surrogate)",
    ),
    (
        "a lone surrogate in a history entry",
        _surrogate_in_history,
        "history[0].new: holds text that is not valid Unicode (a lone surrogate)",
    ),
    (
        "a 3 MB template",
        lambda d: d["templates"][0].update(canonical_json=" " * (3 * 2**20)),
        "templates[0].canonical_json: longer than 2097152 characters",
    ),
]


@pytest.mark.parametrize(("case", "edit", "expect"), CASES, ids=[c[0] for c in CASES])
def test_a_text_beyond_its_cap_is_refused_naming_the_place(
    package: Any, case: str, edit: Callable[[dict], None], expect: str
) -> None:
    _data, _pkg, doc, media = package
    bad = copy.deepcopy(doc)
    edit(bad)
    for bundle in bad["inspections"]:  # a hostile exporter fixes the hashes too
        bundle["content_hash"] = wire.bundle_hash(bundle)
    with pytest.raises(PackageRejected) as info:
        checks.check_document(bad, media)
    message = str(info.value)
    assert message.startswith("data/records.json: ") and expect in message, message
    assert len(message) < 300


def test_a_package_with_a_10_mb_comment_is_refused_whole(package: Any, tmp_path: Path) -> None:
    data, pkg, doc, _media = package
    bad_doc = copy.deepcopy(doc)
    bundle = _with("answers")(bad_doc)
    bundle["answers"][0]["comment"] = "评" * 10_000_000
    bundle["content_hash"] = wire.bundle_hash(bundle)
    manifest = read_manifest(pkg)
    staging = tmp_path / "s"
    opened = open_package(pkg, staging)
    members: list[tuple[str, bytes | Path]] = [
        (wire.RECORDS_MEMBER, json.dumps(bad_doc, ensure_ascii=False).encode())
    ] + [(f.path, opened.path_of(f.path)) for f in manifest.files if f.path.startswith("media/")]
    bad = tmp_path / "bad.inspkg"
    write_package(
        bad,
        device_identity(data),
        kind="inspections",
        sequence=2,
        schema_version=manifest.schema_version,
        app_version=manifest.app_version,
        created_at=manifest.created_at,
        summary={},
        audit_head=None,
        members=members,
    )
    hq = tmp_path / "hq"
    hdb = open_database(hq)
    try:
        before = db_fingerprint(hdb.path)
        with pytest.raises(PackageRejected, match=r"answers\[0\]\.comment: longer than 4000"):
            import_package(Workspace(hq, hdb, "总部"), bad)
        assert db_fingerprint(hdb.path) == before
    finally:
        hdb.dispose()
