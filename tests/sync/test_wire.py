"""The wire format of packages (sync/wire.py): versioned records, independent of the tables.

The format this app writes is pinned twice: by its field list per record type, and by a golden
records document made from a fixed small dataset (``tests/data/records-format-2.json``). A
change of either fails here until it is made on purpose: a new format (``FORMATS[3]``, and
``FORMAT_VERSION`` and ``manifest.FORMAT_VERSION`` bumped), what every older format's records
read as for the new fields (``Record.absent``), and a golden document of its own, written by
running this module (``.venv/bin/python -m tests.sync.test_wire``). The older golden documents
stay as they are: each readable format's document must keep mapping onto the same rows.

Formats 1 are real packages written by the apps before format 2 (``tools/
make_format1_packages.py``), imported here end to end.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector_app.domain.checklists.loader import load_template
from inspector_app.domain.checklists.scoring import Answer, normalize_answer, score_inspection
from inspector_app.services import answers as answers_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.conflicts import conflict_differences
from inspector_app.services.sync import (
    PackageRejected,
    export_package,
    import_package,
    list_conflicts,
    resolve_conflict,
)
from inspector_app.store import audit
from inspector_app.store.db import Database, open_database
from inspector_app.store.models import (
    AnswerRecord,
    AuditEntry,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionRevision,
    Photo,
    Signature,
    Site,
    TemplateVersion,
)
from inspector_app.sync import bundles, checks, manifest, wire
from inspector_app.sync.bundles import table_of
from inspector_app.sync.package import open_package, read_manifest
from inspector_app.sync.strict import canonical_json
from inspector_app.workspace import Workspace
from tests.services.helpers import db_fingerprint
from tests.sync.helpers import repack, workspace

DATA = Path(__file__).resolve().parent.parent / "data"
GOLDEN = DATA / "records-format-{version}.json"
FORMAT_1_PACKAGES = ("format-1-0005.inspkg", "format-1-0006.inspkg")

# The format this app writes: change it only with a new format version (module docstring).
FORMAT_2 = {
    "sites": (
        "id",
        "code",
        "name",
        "name_en",
        "site_type",
        "district",
        "host_unit",
        "address",
        "contact_name",
        "contact_phone",
        "is_sample",
        "created_at",
        "updated_at",
        "revision",
        "base_revision",
    ),
    "templates": (
        "id",
        "template_id",
        "version",
        "content_hash",
        "title_zh",
        "title_en",
        "site_type",
        "sample_weights",
        "canonical_json",
        "source_file",
        "loaded_at",
    ),
    "inspection": (
        "id",
        "site_id",
        "template_version_id",
        "template_id",
        "template_version",
        "template_hash",
        "inspectors",
        "started_on",
        "ended_on",
        "status",
        "score_total",
        "grade",
        "provisional",
        "vetoed",
        "previous_inspection_id",
        "amend_reason",
        "completed_at",
        "exported_at",
        "created_at",
        "updated_at",
        "revision",
        "base_revision",
    ),
    "revisions": (
        "id",
        "inspection_id",
        "revision",
        "completed_at",
        "completed_by",
        "score_json",
        "data_json",
        "data_hash",
        "amend_reason",
        "organisation",
        "display_zone",
    ),
    "answers": (
        "id",
        "inspection_id",
        "item_id",
        "value_json",
        "not_applicable",
        "comment",
        "evidence_checked",
        "updated_at",
        "revision",
        "base_revision",
    ),
    "photos": (
        "id",
        "inspection_id",
        "item_id",
        "sha256",
        "original_name",
        "media_type",
        "byte_size",
        "width",
        "height",
        "captured_at",
        "captured_local",
        "captured_offset",
        "camera",
        "caption",
        "created_at",
        "revision",
        "base_revision",
    ),
    "findings": (
        "id",
        "inspection_id",
        "item_id",
        "severity",
        "description",
        "requirement",
        "deadline",
        "responsible",
        "status",
        "carried_from_id",
        "resolution_note",
        "created_at",
        "updated_at",
        "revision",
        "base_revision",
    ),
    "finding_photos": ("finding_id", "photo_id", "role", "created_at"),
    "signatures": (
        "id",
        "inspection_id",
        "inspection_revision",
        "data_hash",
        "signer_name",
        "role",
        "signed_at",
        "image_png",
        "created_at",
    ),
}
TABLES = {
    "sites": Site,
    "templates": TemplateVersion,
    "inspection": Inspection,
    **dict(wire.PARTS),
}


def test_this_app_writes_format_2_with_exactly_these_fields() -> None:
    assert (wire.FORMAT_VERSION, manifest.FORMAT_VERSION) == (2, 2)
    assert wire.CURRENT.version_key == "format_version"
    assert {kind: r.fields for kind, r in wire.CURRENT.records.items()} == FORMAT_2
    # every field of the format written is written, and required when read
    assert all(not set(r.absent) & set(r.fields) for r in wire.CURRENT.records.values())
    assert set(wire.BUNDLE_KEYS) == {"inspection", *dict(wire.PARTS), "history", "content_hash"}
    # an audit entry travels with the fields its hash covers, and the two hashes
    assert (*audit.FIELDS, "prev_hash", "hash") == wire.HISTORY_KEYS


@pytest.mark.parametrize("version", sorted(wire.FORMATS))
def test_every_format_reads_onto_every_column(version: int) -> None:
    """A column added to a table needs a decision for every format: carried by a new format
    (``FORMAT_VERSION`` bumped), or not carried, and then what a record lacking it reads as
    (``Record.absent``) in each format that does not carry it."""
    for kind, record in wire.FORMATS[version].records.items():
        table = table_of(TABLES[kind])
        columns = {c.name for c in table.columns}
        assert set(record.fields) <= columns, (version, kind)
        assert set(record.fields) | set(record.absent) == columns, (version, kind)
        for name, value in record.absent.items():
            assert value is not None or table.columns[name].nullable, (version, kind, name)


def test_format_1_is_every_column_as_of_migration_0005() -> None:
    """An app with migration 0006 wrote the two presentation columns under format 1 too."""
    v1 = wire.FORMATS[1]
    assert v1.version_key == "format"
    assert {kind: r.fields for kind, r in v1.records.items()} == FORMAT_2
    absent = {kind: dict(r.absent) for kind, r in v1.records.items() if r.absent}
    assert absent == {"revisions": {"organisation": None, "display_zone": None}}


# -- the golden document ------------------------------------------------------------------------

T0 = dt.datetime(2024, 10, 8, 1, 30, tzinfo=dt.UTC)
SITE, TV, IID, REV = (str(uuid.UUID(int=n, version=4)) for n in (1, 2, 3, 4))
PHOTO, FINDING, SIGNATURE, ENTRY = (str(uuid.UUID(int=n, version=4)) for n in (5, 6, 7, 8))
PHOTO_BYTES = b"the golden photo"  # only its name is checked here: no image is read
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAECAAAAACWpiEsAAAAEElEQVR4nGP8zwABTAw4GQAjkQEHTUuNLgAAAABJRU5ErkJggg=="
)
ANSWERS = {"s1.equip": 1200, "s1.lab": "yes", "s1.team": 8, "s2.level": "mid", "v-fraud": "no"}


def _golden_dataset(db: Database) -> None:
    """One site, the mini template, and a completed inspection with one of everything, every
    value fixed (ids, times), written as rows."""
    loaded = load_template(DATA / "mini.yaml")
    template = loaded.template
    items = {i.id: i for i in template.items()}
    values = {k: v if k not in items else normalize_answer(items[k], v) for k, v in ANSWERS.items()}
    score = score_inspection(template, {k: Answer(v, False) for k, v in values.items()})
    data = {"answers": values, "note": "frozen data as the completion wrote it"}
    data_json = canonical_json(data).decode()
    data_hash = hashlib.sha256(data_json.encode()).hexdigest()
    t = lambda minutes: T0 + dt.timedelta(minutes=minutes)  # noqa: E731
    rows: list[Any] = [
        Site(
            id=SITE,
            code="PB-G1",
            name="示例中试基地",
            name_en="Sample pilot base",
            site_type="pilot_base",
            district="环翠区",
            address="威海市环翠区示例路 1 号",
            contact_name="刘芳",
            contact_phone="0631-5800000",
            created_at=T0,
            updated_at=T0,
        ),
        TemplateVersion(
            id=TV,
            template_id=template.id,
            version=template.version,
            content_hash=loaded.content_hash,
            title_zh=template.title.zh,
            title_en=template.title.en,
            site_type=template.site_type.value,
            sample_weights=template.uses_sample_weights,
            canonical_json=loaded.canonical_json,
            source_file="mini.yaml",
            loaded_at=T0,
        ),
        Inspection(
            id=IID,
            site_id=SITE,
            template_version_id=TV,
            template_id=template.id,
            template_version=template.version,
            template_hash=loaded.content_hash,
            inspectors=json.dumps(["王晓明", "李娜"], ensure_ascii=False),
            started_on=dt.date(2024, 10, 8),
            ended_on=dt.date(2024, 10, 8),
            status="completed",
            score_total=score.total,
            grade=score.grade,
            provisional=score.provisional,
            vetoed=score.vetoed,
            completed_at=t(90),
            created_at=T0,
            updated_at=t(90),
        ),
        InspectionRevision(
            id=REV,
            inspection_id=IID,
            revision=1,
            completed_at=t(90),
            completed_by="王晓明",
            score_json=canonical_json({"total": score.total, "grade": score.grade}).decode(),
            data_json=data_json,
            data_hash=data_hash,
            organisation="示例科技局",
            display_zone="Asia/Shanghai",
        ),
        *(
            AnswerRecord(
                id=str(uuid.UUID(int=100 + n, version=4)),
                inspection_id=IID,
                item_id=item,
                value_json=json.dumps(value, ensure_ascii=False),
                comment="工程负责人在岗" if item == "s1.team" else None,
                updated_at=t(10 + n),
            )
            for n, (item, value) in enumerate(values.items())
        ),
        Photo(
            id=PHOTO,
            inspection_id=IID,
            item_id="s1.lab",
            sha256=hashlib.sha256(PHOTO_BYTES).hexdigest(),
            original_name="lab.jpg",
            byte_size=len(PHOTO_BYTES),
            width=64,
            height=48,
            captured_at=t(5),
            captured_local="2024-10-08 09:35:00",
            captured_offset=480,
            camera="Canon EOS R6",
            caption="实验室",
            created_at=t(20),
        ),
        Finding(
            id=FINDING,
            inspection_id=IID,
            item_id="s1.equip",
            severity="major",
            description="设备台账不全",
            requirement="补齐设备台账",
            deadline=dt.date(2024, 12, 31),
            responsible="刘芳",
            created_at=t(30),
            updated_at=t(30),
        ),
        FindingPhoto(finding_id=FINDING, photo_id=PHOTO, role="evidence", created_at=t(31)),
        Signature(
            id=SIGNATURE,
            inspection_id=IID,
            inspection_revision=1,
            data_hash=data_hash,
            signer_name="王晓明",
            role="inspector",
            signed_at=t(95),
            image_png=PNG,
            created_at=t(95),
        ),
    ]
    entry = {
        "seq": 1,
        "id": ENTRY,
        "ts": t(0).isoformat(),
        "actor": "王晓明",
        "action": "create",
        "entity": "inspection",
        "entity_id": IID,
        "inspection_id": IID,
        "field": None,
        "old": None,
        "new": json.dumps({"site": SITE}),
    }
    rows.append(
        AuditEntry(**entry, prev_hash=audit.GENESIS, hash=audit.row_hash(entry, audit.GENESIS))
    )
    with db.transaction() as s:
        for row in rows:
            s.add(row)
            s.flush()


@pytest.fixture(scope="module")
def golden_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(tmp_path_factory.mktemp("golden") / "data")
    _golden_dataset(db)
    yield db
    db.dispose()


def _document(db: Database) -> dict[str, Any]:
    with db.session() as s:
        return bundles.collect(s, [IID]).document


def test_the_records_document_written_is_the_golden_one(golden_db: Database) -> None:
    golden = GOLDEN.with_name(GOLDEN.name.format(version=wire.FORMAT_VERSION))
    written = _document(golden_db)
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert canonical_json(written) == canonical_json(expected), (
        f"the wire format changed: see {__name__}'s docstring"
    )


@pytest.mark.parametrize("version", sorted(v for v in wire.FORMATS if v >= 2))
def test_a_golden_document_of_every_format_reads_onto_the_same_rows(
    golden_db: Database, version: int
) -> None:
    golden = json.loads(GOLDEN.with_name(GOLDEN.name.format(version=version)).read_text("utf-8"))
    media = {wire.media_member(hashlib.sha256(PHOTO_BYTES).hexdigest(), "image/jpeg")}
    incoming = checks.check_document(golden, media)
    with golden_db.session() as s:
        here = bundles.inspection_bundle(s, s.get(Inspection, IID))
        assert incoming.site_rows == [bundles.row_of(s.get(Site, SITE))]
        assert [r["content_hash"] for r in incoming.templates] == [
            s.get(TemplateVersion, TV).content_hash
        ]
        history = bundles.history_of(s, IID)
    [arrived] = incoming.inspections
    assert arrived.format_version == version
    assert arrived.rows == {k: v for k, v in here.items() if k != "history"}
    assert arrived.history == history


def write_golden() -> Path:
    """Write the golden document of the format this app writes (module docstring)."""
    import tempfile

    out = GOLDEN.with_name(GOLDEN.name.format(version=wire.FORMAT_VERSION))
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "data")
        _golden_dataset(db)
        doc = _document(db)
        db.dispose()
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
    return out


# -- what else a document may say -----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (
            {"format_version": 3},
            "format_version: records format 3 is not supported; update this app",
        ),
        ({"format_version": 99, "sites": None}, "records format 99 is not supported; update"),
        ({"format_version": 1}, "/: not an Inspector records document"),
        ({"format_version": True}, "/: not an Inspector records document"),
        ({"format_version": "2"}, "/: not an Inspector records document"),
        ({"format_version": 0}, "/: not an Inspector records document"),
        ({"extra": []}, "/: not an Inspector records document"),
    ],
    ids=["newer", "newer, other keys", "1 keyed as 2", "bool", "text", "zero", "extra key"],
)
def test_a_document_of_another_format_is_refused(
    golden_db: Database, change: dict[str, Any], expect: str
) -> None:
    doc = {**_document(golden_db), **change}
    with pytest.raises(PackageRejected) as e:
        checks.check_document(doc, set())
    assert str(e.value).startswith("data/records.json: ") and expect in str(e.value)


@pytest.mark.parametrize(
    ("edit", "expect"),
    [
        (
            lambda b: b["revisions"][0].pop("display_zone"),
            "revisions[0]: fields do not match revisions of records format 2 "
            "(missing: display_zone; unknown: -)",
        ),
        (
            lambda b: b["inspection"].update(reviewed_by="总部"),
            "inspection: fields do not match inspection of records format 2 "
            "(missing: -; unknown: reviewed_by)",
        ),
    ],
    ids=["a field left out", "a field unknown"],
)
def test_a_format_2_record_has_exactly_its_fields(golden_db: Database, edit, expect: str) -> None:
    doc = _document(golden_db)
    edit(doc["inspections"][0])
    doc["inspections"][0]["content_hash"] = wire.bundle_hash(doc["inspections"][0])
    with pytest.raises(PackageRejected) as e:
        checks.check_document(doc, set())
    assert f": inspections[0].{expect}" in str(e.value)


# -- real format-1 packages ---------------------------------------------------------------------


def _records(pkg: Path, tmp: Path) -> dict[str, Any]:
    return open_package(pkg, tmp / "staging").read_json(wire.RECORDS_MEMBER)


@pytest.mark.parametrize("name", FORMAT_1_PACKAGES)
def test_a_real_format_1_package_imports_and_travels_on_in_format_2(
    tmp_path: Path, name: str
) -> None:
    pkg = DATA / name
    assert read_manifest(pkg).format_version == 1
    assert _records(pkg, tmp_path)["format"] == 1
    hq = tmp_path / "hq"
    hdb = open_database(hq)
    result = import_package(Workspace(hq, hdb, "总部"), pkg)
    merged = result.merge
    assert (len(merged.added), merged.sites_added, merged.templates_added) == (2, 1, 1)
    assert result.photos_stored == 1
    details = {d["status"]: d for d in (views_svc.inspection_detail(hdb, i) for i in merged.added)}
    signed, draft = details["signed"], details["draft"]
    presentation = (None, None) if name.endswith("0005.inspkg") else ("示例科技局", "Asia/Urumqi")
    assert [(r["organisation"], r["display_zone"]) for r in signed["revisions"]] == [presentation]
    state = views_svc.load_inspection_state(hdb, signed["id"])
    assert len([a for a in state.answers.values() if a.answered]) == 7
    assert state.answers["s1.team"].comment == "工程负责人在岗"
    assert [g["signer"] for g in signed["signatures"]] == ["王晓明"]
    assert [f["description"] for f in signed["findings"]] == ["设备台账不全"]
    assert draft["previous_inspection"] is not None
    assert [f["description"] for f in draft["findings"]] == ["设备台账不全"]
    assert draft["findings"][0]["carried_from"]
    # forwarded from here, the same inspections travel in format 2 and arrive alike
    forwarded = tmp_path / "forwarded.inspkg"
    export_package(Workspace(hq, hdb, "总部"), forwarded)
    assert read_manifest(forwarded).format_version == 2
    assert _records(forwarded, tmp_path / "f")["format_version"] == 2
    third = tmp_path / "third"
    tdb = open_database(third)
    assert sorted(import_package(Workspace(third, tdb, "三"), forwarded).merge.added) == sorted(
        merged.added
    )
    for iid in merged.added:
        assert views_svc.inspection_detail(tdb, iid) == views_svc.inspection_detail(hdb, iid)
    # the original package, met after its forwarded copy, is the same version
    again = import_package(Workspace(third, tdb, "三"), pkg).merge
    assert sorted(again.unchanged) == sorted(merged.added) and not again.changed
    for db in (hdb, tdb):
        db.dispose()


def _edit_the_draft(doc: dict[str, Any]) -> None:
    """A later edit of the draft on the laptop, as its app would have sent it (format 1)."""
    bundle = next(b for b in doc["inspections"] if b["inspection"]["status"] == "draft")
    answer = next(a for a in bundle["answers"] if a["item_id"] == "s1.lab")
    answer["value_json"] = json.dumps("no")
    last = bundle["history"][-1]
    entry = {**last, "id": str(uuid.uuid4()), "seq": last["seq"] + 1, "action": "update"}
    entry.update(field="s1.lab", old=json.dumps("yes"), new=json.dumps("no"))
    values = {k: entry[k] for k in audit.FIELDS}
    entry["prev_hash"] = last["hash"]
    entry["hash"] = audit.row_hash(values, entry["prev_hash"])
    bundle["history"].append(entry)


@pytest.mark.parametrize("recorded", [True, False], ids=["format recorded", "kept before"])
def test_a_conflict_kept_from_a_format_1_package_is_shown_and_decided(
    tmp_path: Path, recorded: bool
) -> None:
    """Both sides edited the draft; the laptop's version came in format 1. A conflict kept
    before formats were recorded with it reads as format 1."""
    pkg = DATA / "format-1-0006.inspkg"
    hq = tmp_path / "hq"
    hdb = open_database(hq)
    added = import_package(Workspace(hq, hdb, "总部"), pkg).merge.added
    draft = next(i for i in added if views_svc.inspection_detail(hdb, i)["status"] == "draft")
    answers_svc.comment_item(hdb, draft, "s1.team", "总部的意见", actor="总部")
    later = repack(pkg, tmp_path / "later.inspkg", tmp_path / "laptop", _edit_the_draft)
    assert _records(later, tmp_path)["format"] == 1
    assert import_package(Workspace(hq, hdb, "总部"), later).merge.conflicts == [draft]
    if not recorded:  # as the app before format 2 kept it
        with hdb.raw() as con:
            (kept,) = con.execute("SELECT incoming_json FROM sync_conflict").fetchone()
            stored = json.loads(kept)
            assert stored["_local"].pop("format_version") == 1
            con.execute("UPDATE sync_conflict SET incoming_json = ?", (json.dumps(stored),))
    [conflict] = list_conflicts(workspace(hdb))
    shown = {
        (d.part, d.key, d.field): (d.local, d.incoming)
        for d in conflict_differences(hdb, conflict["id"])
    }
    assert {k for k in shown if k[0] == "answer"} == {
        ("answer", "s1.lab", "value_json"),  # the laptop's edit
        ("answer", "s1.team", "comment"),  # headquarters'
    }
    resolve_conflict(Workspace(hq, hdb, "总部"), conflict["id"], keep="incoming")
    state = views_svc.load_inspection_state(hdb, draft)
    assert state.answers["s1.lab"].value == "no"
    hdb.dispose()


def test_a_package_of_a_newer_format_is_refused_saying_to_update(tmp_path: Path) -> None:
    hq = tmp_path / "hq"
    hdb = open_database(hq)
    newer = repack(
        DATA / "format-1-0006.inspkg",
        tmp_path / "newer.inspkg",
        tmp_path / "laptop",
        lambda d: (d.pop("format"), d.update(format_version=3, inspections=[])),
    )
    before = db_fingerprint(hdb.path)
    with pytest.raises(PackageRejected, match="records format 3 is not supported; update this app"):
        import_package(Workspace(hq, hdb, "总部"), newer)
    assert db_fingerprint(hdb.path) == before
    hdb.dispose()


if __name__ == "__main__":
    print(write_golden())
