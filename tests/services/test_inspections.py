"""Inspection use cases against a real database file."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from inspector_app.domain.checklists.scoring import score_inspection
from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services import signatures as signatures_svc
from inspector_app.services.browse import list_inspections
from inspector_app.services.demo_images import signature_png
from inspector_app.services.errors import InvalidInput, Locked, NotFound
from inspector_app.services.templates import find_template_version, store_templates
from inspector_app.store import audit
from tests.services.helpers import answer_all, best_value, db_fingerprint, start


def _scored(template, kind):
    return next(i for i in template.items() if i.type.value == kind and not i.show_if)


def test_start_pins_the_template_and_records_the_audit(ws) -> None:
    insp_id, template = start(ws)
    d = views_svc.inspection_detail(ws, insp_id)
    tv = find_template_version(ws, template.id)
    assert d["template_hash"] == tv.content_hash
    assert d["status"] == "draft" and d["provisional"] is True
    assert d["score"] == 0
    with ws.db.session() as s:
        assert audit.verify_chain(s).ok


def test_template_for_another_site_type_is_refused(ws) -> None:
    with pytest.raises(InvalidInput, match="tech_transfer"):
        _start_mismatch(ws)


def _start_mismatch(ws):
    from tests.services.helpers import add_site

    site_id = add_site(ws, "PB-X", "pilot_base")
    tv = find_template_version(ws, "tech-transfer-performance")
    svc.start_inspection(
        ws,
        site_id=site_id,
        template_version_id=tv.id,
        inspectors=["甲"],
        started_on=dt.date(2024, 1, 1),
        actor="测试员",
    )


def test_unknown_site_and_missing_inspectors(ws) -> None:
    tv = find_template_version(ws, "pilot-base-performance")
    with pytest.raises(NotFound):
        svc.start_inspection(
            ws,
            site_id="nope",
            template_version_id=tv.id,
            inspectors=["甲"],
            started_on=dt.date(2024, 1, 1),
            actor="x",
        )
    with pytest.raises(InvalidInput, match="inspector"):
        svc.start_inspection(
            ws,
            site_id="nope",
            template_version_id=tv.id,
            inspectors=[" "],
            started_on=dt.date(2024, 1, 1),
            actor="x",
        )


def test_each_answer_updates_the_cached_score(ws) -> None:
    insp_id, template = start(ws)
    previous = 0.0
    for item in template.items():
        if not item.scored or item.show_if:
            continue
        res = answers_svc.answer_item(ws, insp_id, item.id, best_value(item), actor="测试员")
        assert res.score.total >= previous
        previous = res.score.total
        row = list_inspections(ws)[0]
        assert row["score"] == res.score.total == views_svc.inspection_detail(ws, insp_id)["score"]
    assert previous > 90


def test_bad_answers_are_refused_and_nothing_is_written(ws) -> None:
    insp_id, template = start(ws)
    score_item = _scored(template, "score")
    answers_svc.answer_item(ws, insp_id, score_item.id, score_item.points / 2, actor="测试员")
    before = db_fingerprint(ws.db.path)
    with pytest.raises(InvalidInput, match=score_item.id):
        answers_svc.answer_item(ws, insp_id, score_item.id, score_item.points + 1, actor="测试员")
    with pytest.raises(InvalidInput, match="no item") as refused:
        answers_svc.answer_item(ws, insp_id, "no-such-item", "yes", actor="测试员")
    assert template.title.en in str(refused.value) and template.id not in str(refused.value)
    with pytest.raises(InvalidInput):
        answers_svc.answer_many(
            ws,
            insp_id,
            {score_item.id: {"value": 1}, _scored(template, "choice").id: {"value": "???"}},
            actor="测试员",
        )
    assert db_fingerprint(ws.db.path) == before


def test_not_applicable_and_comment(ws) -> None:
    insp_id, template = start(ws)
    item = next(i for i in template.items() if i.scored and i.na_allowed)
    answers_svc.answer_item(ws, insp_id, item.id, best_value(item), actor="测试员")
    answers_svc.mark_not_applicable(ws, insp_id, item.id, actor="测试员")
    answers_svc.comment_item(ws, insp_id, item.id, "该项不适用于本基地", actor="测试员")
    d = views_svc.inspection_detail(ws, insp_id)
    it = next(i for s in d["sections"] for i in s["items"] if i["id"] == item.id)
    assert it["not_applicable"] and it["value"] is None and it["comment"] == "该项不适用于本基地"
    strict = next((i for i in template.items() if not i.na_allowed), None)
    if strict is not None:
        with pytest.raises(InvalidInput, match="not applicable"):
            answers_svc.mark_not_applicable(ws, insp_id, strict.id, actor="测试员")


def test_complete_refuses_missing_required_then_freezes(ws) -> None:
    insp_id, template = start(ws)
    with pytest.raises(InvalidInput, match="required answers are missing") as info:
        svc.complete_inspection(ws, insp_id, actor="测试员")
    first_required = next(i for i in template.items() if i.required and not i.show_if)
    assert first_required.title.en in str(info.value)  # by its title, not its id
    assert first_required.id not in str(info.value)
    answer_all(ws, insp_id, template)
    snap = svc.complete_inspection(ws, insp_id, actor="测试员")
    assert snap.revision == 1 and len(snap.data_hash) == 64
    d = views_svc.inspection_detail(ws, insp_id)
    assert d["status"] == "completed" and d["score"] == json.loads(snap.score_json)["total"]
    assert d["data_hash"] == snap.data_hash


def test_completed_inspection_is_read_only(ws) -> None:
    insp_id, template = start(ws)
    answer_all(ws, insp_id, template)
    svc.complete_inspection(ws, insp_id, actor="测试员")
    before = db_fingerprint(ws.db.path)
    item = _scored(template, "score")
    with pytest.raises(Locked, match="amend"):
        answers_svc.answer_item(ws, insp_id, item.id, 0, actor="测试员")
    with pytest.raises(Locked):
        answers_svc.mark_not_applicable(ws, insp_id, item.id, actor="测试员")
    with pytest.raises(Locked):
        findings_svc.add_finding(ws, insp_id, description="迟到的问题", actor="测试员")
    with pytest.raises(Locked):
        svc.complete_inspection(ws, insp_id, actor="测试员")
    assert db_fingerprint(ws.db.path) == before


def test_amend_opens_a_new_revision_and_keeps_the_old(ws) -> None:
    insp_id, template = start(ws)
    answer_all(ws, insp_id, template)
    first = svc.complete_inspection(ws, insp_id, actor="测试员")
    with pytest.raises(InvalidInput, match="reason"):
        svc.amend_inspection(ws, insp_id, reason="  ", actor="测试员")
    insp = svc.amend_inspection(ws, insp_id, reason="合同金额录入错误", actor="测试员")
    assert (insp.revision, insp.base_revision, insp.status) == (2, 1, "draft")
    item = _scored(template, "score")
    answers_svc.answer_item(ws, insp_id, item.id, 0, actor="测试员")
    second = svc.complete_inspection(ws, insp_id, actor="测试员")
    d = views_svc.inspection_detail(ws, insp_id)
    assert [r["revision"] for r in d["revisions"]] == [1, 2]
    assert d["revisions"][0]["score"] > d["revisions"][1]["score"]
    assert second.data_hash != first.data_hash
    assert d["revisions"][1]["amend_reason"] == "合同金额录入错误"


def test_signatures_need_completion_and_make_it_signed(ws) -> None:
    insp_id, template = start(ws)
    png = signature_png("王晓明", "seed")
    with pytest.raises(InvalidInput, match="completed"):
        signatures_svc.record_signature(
            ws, insp_id, signer_name="王晓明", role="inspector", image_png=png, actor="测试员"
        )
    answer_all(ws, insp_id, template)
    snap = svc.complete_inspection(ws, insp_id, actor="测试员")
    with pytest.raises(InvalidInput, match="PNG"):
        signatures_svc.record_signature(
            ws, insp_id, signer_name="王晓明", role="inspector", image_png=b"GIF89a", actor="测试员"
        )
    signatures_svc.record_signature(
        ws, insp_id, signer_name="王晓明", role="inspector", image_png=png, actor="测试员"
    )
    assert (
        views_svc.inspection_detail(ws, insp_id)["status"] == "completed"
    )  # one of two inspectors
    signatures_svc.record_signature(
        ws, insp_id, signer_name="李娜", role="inspector", image_png=png, actor="测试员"
    )
    d = views_svc.inspection_detail(ws, insp_id)
    assert d["status"] == "signed"
    assert {s["data_hash"] for s in d["signatures"]} == {snap.data_hash}
    svc.mark_exported(ws, insp_id, package="t.inspkg", actor="测试员")
    assert views_svc.inspection_detail(ws, insp_id)["status"] == "exported"


def test_reinspection_carries_open_findings_forward(ws) -> None:
    first_id, _template = start(ws, when=dt.date(2024, 5, 1))
    open_f = findings_svc.add_finding(
        ws,
        first_id,
        description="设备台账不全",
        severity="major",
        requirement="补齐台账",
        deadline=dt.date(2024, 6, 30),
        responsible="孙主任",
        actor="测试员",
    )
    done = findings_svc.add_finding(ws, first_id, description="制度未公示", actor="测试员")
    findings_svc.set_finding_status(ws, done.id, "corrected", actor="测试员")
    second_id, _ = start(ws, when=dt.date(2024, 7, 1))
    d = views_svc.inspection_detail(ws, second_id)
    assert d["previous_inspection"] == first_id
    assert [(f["description"], f["carried_from"], f["status"]) for f in d["findings"]] == [
        ("设备台账不全", open_f.id, "open")
    ]
    assert d["findings"][0]["deadline"] == "2024-06-30"


def test_finding_input_is_checked(ws) -> None:
    insp_id, _ = start(ws)
    with pytest.raises(InvalidInput, match="description"):
        findings_svc.add_finding(ws, insp_id, description=" ", actor="测试员")
    with pytest.raises(InvalidInput, match="severity"):
        findings_svc.add_finding(ws, insp_id, description="x", severity="huge", actor="测试员")
    with pytest.raises(InvalidInput, match="no item"):
        findings_svc.add_finding(ws, insp_id, description="x", item_id="zzz", actor="测试员")


def test_a_new_template_version_never_changes_a_past_score(ws) -> None:
    from inspector_app.domain.checklists.loader import load_template_text
    from tests.conftest import FORMS

    insp_id, template = start(ws)
    answer_all(ws, insp_id, template)
    item = _scored(template, "score")
    answers_svc.answer_item(ws, insp_id, item.id, 0, actor="测试员")
    before = views_svc.inspection_detail(ws, insp_id)
    # publish a version whose grade bands are stricter
    text = (FORMS / "pilot-base-performance.yaml").read_text(encoding="utf-8")
    changed = text.replace('version: "2024.1"', 'version: "2025.1"').replace(
        "min: 90", "min: 99", 1
    )
    new = load_template_text(changed, "v2.yaml")
    store_templates(ws, [new])
    after = views_svc.inspection_detail(ws, insp_id)
    assert (after["score"], after["grade"], after["template_hash"]) == (
        before["score"],
        before["grade"],
        before["template_hash"],
    )
    assert find_template_version(ws, "pilot-base-performance").version == "2025.1"


def test_list_score_equals_the_pure_function(demo_ws) -> None:
    from inspector_app.services.templates import get_template

    rows = {r["id"]: r for r in list_inspections(demo_ws)}
    assert rows
    with demo_ws.db.session() as s:
        for iid in rows:
            insp = svc.find_inspection(s, iid)
            records = svc.answers_of(s, iid).values()
            _, template = get_template(demo_ws, insp.template_version_id)
            result = score_inspection(template, svc.answers_for_scoring(records))
            assert rows[insp.id]["score"] == result.total
            assert rows[insp.id]["grade"] == result.grade


def test_a_changed_template_keeping_its_version_is_refused(ws) -> None:
    from inspector_app.domain.checklists.loader import load_template_text
    from tests.conftest import FORMS

    text = (FORMS / "pilot-base-performance.yaml").read_text(encoding="utf-8")
    edited = load_template_text(text.replace("min: 90", "min: 95", 1), "edited.yaml")
    result = store_templates(ws, [edited])
    assert result.added == []
    assert "new version" in result.issues[0].message


def test_detail_and_state_from_one_read_match_the_separate_reads(demo_ws) -> None:
    for row in list_inspections(demo_ws):
        detail, state = views_svc.inspection_detail_and_state(demo_ws, row["id"][:8])
        assert detail == views_svc.inspection_detail(demo_ws, row["id"])
        assert state == views_svc.load_inspection_state(demo_ws, row["id"])
        assert detail["score"] == state.score.total == row["score"]
    with pytest.raises(NotFound):
        views_svc.inspection_detail_and_state(demo_ws, "no-such-inspection")
