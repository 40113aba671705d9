"""The inspection as values (domain/inspection.py): an answer's version, the canonical data
and its hash."""

from __future__ import annotations

import dataclasses
import datetime as dt

from inspector_app.domain.inspection import (
    Answer,
    EvidencePhoto,
    Finding,
    Inspection,
    InspectionSite,
    PhotoLink,
    Revision,
    answer_version,
    canonical_data,
    data_hash,
)

BASE = (2, '"yes"', False, "良好", "[0]")


def test_an_answers_version_is_its_revision_and_everything_it_holds() -> None:
    version = answer_version(*BASE)
    assert version == answer_version(*BASE) and len(version) == 16
    for n, other in enumerate((3, '"no"', True, "差", "[1]")):
        changed = list(BASE)
        changed[n] = other
        assert answer_version(*changed) != version, f"field {n} is not in the version"
    assert answer_version(2, None, False, None, "[]") != answer_version(
        2, "null", False, None, "[]"
    )


def test_an_answer_names_its_version_from_what_is_stored_and_compares_without_it() -> None:
    a = Answer(
        id="a",
        inspection_id="i",
        item_id="s1.x",
        value="yes",
        comment="良好",
        evidence=(0,),
        revision=2,
        value_json='"yes"',
        evidence_json="[0]",
    )
    assert a.version == answer_version(*BASE)
    spaced = dataclasses.replace(a, evidence_json="[ 0 ]")  # the same value, stored otherwise
    assert spaced == a and spaced.version != a.version


INSP = Inspection(
    id="insp-1",
    site_id="site-1",
    template_version_id="tv-1",
    template_id="pilot-base-performance",
    template_version="2025.1",
    template_hash="t" * 64,
    inspectors=("王晓明", "李娜"),
    started_on=dt.date(2024, 10, 1),
    status="completed",
    ended_on=dt.date(2024, 10, 2),
    revision=2,
)
SITE = InspectionSite(id="site-1", code="PB-1", name="中试基地", site_type="pilot_base")


def _answer(item: str, value: object, **kw: object) -> Answer:
    return Answer(id=f"a-{item}", inspection_id=INSP.id, item_id=item, value=value, **kw)  # type: ignore[arg-type]


def test_the_canonical_data_of_an_inspection() -> None:
    findings = [
        Finding(id="f-2", inspection_id=INSP.id, description="乙", deadline=dt.date(2024, 12, 1)),
        Finding(id="f-1", inspection_id=INSP.id, description="甲", carried_from_id="f-0"),
    ]
    data = canonical_data(
        INSP,
        SITE,
        [_answer("s2.b", 3, evidence=(1, 0)), _answer("s1.a", None, not_applicable=True)],
        findings,
        [EvidencePhoto("p-1", "s" * 64, "s1.a", None)],
        [PhotoLink("f-1", "p-1", "evidence")],
    )
    assert data == {
        "inspection": "insp-1",
        "revision": 2,
        "site": {"id": "site-1", "code": "PB-1", "name": "中试基地"},
        "template": {"id": "pilot-base-performance", "version": "2025.1", "hash": "t" * 64},
        "inspectors": ["王晓明", "李娜"],
        "started_on": "2024-10-01",
        "ended_on": "2024-10-02",
        "answers": [
            {"item": "s1.a", "value": None, "na": True, "comment": None, "evidence": []},
            {"item": "s2.b", "value": 3, "na": False, "comment": None, "evidence": [1, 0]},
        ],
        "findings": [
            {
                "id": "f-2",
                "item": None,
                "severity": "minor",
                "description": "乙",
                "requirement": "",
                "deadline": "2024-12-01",
                "responsible": "",
                "status": "open",
                "carried_from": None,
                "photos": [],
            },
            {
                "id": "f-1",
                "item": None,
                "severity": "minor",
                "description": "甲",
                "requirement": "",
                "deadline": None,
                "responsible": "",
                "status": "open",
                "carried_from": "f-0",
                "photos": [{"photo": "p-1", "role": "evidence"}],
            },
        ],
        "photos": [{"id": "p-1", "sha256": "s" * 64, "item": "s1.a", "caption": None}],
    }


def test_the_data_hash_is_of_sorted_compact_utf8_json() -> None:
    assert data_hash({"b": 1, "a": "检"}) == data_hash({"a": "检", "b": 1})
    # sha256 of '{"a":"检","b":1}' in UTF-8: a change of separators, order or encoding fails
    assert data_hash({"b": 1, "a": "检"}) == (
        "cc3f7ddc1f53760a3bbec26afd7fe7f22c1db52e7a7fb4de4d9eb20bb44dc05e"
    )


def test_a_revision_gives_its_score_as_stored() -> None:
    rev = Revision(
        id="r",
        inspection_id=INSP.id,
        revision=1,
        completed_at=dt.datetime(2024, 10, 2, tzinfo=dt.UTC),
        completed_by="王晓明",
        score={"total": 80.5, "grade": "良好"},
        data_hash="d" * 64,
    )
    assert rev.score_json == '{"grade": "良好", "total": 80.5}'
