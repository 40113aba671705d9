"""Typed input kept as drafts: recovered into audited edits at the next start."""

from __future__ import annotations

import pytest

from inspector_app import limits
from inspector_app.services import drafts
from inspector_app.services import inspections as svc
from inspector_app.services.errors import InvalidInput
from inspector_app.services.startup import open_data_folder
from inspector_app.store import audit
from tests.services.helpers import answer_all, start


def _kinds(template, kind):
    return next(i for i in template.items() if i.type.value == kind and not i.show_if)


def test_a_start_turns_drafts_into_audited_edits(db, data_dir) -> None:
    insp_id, template = start(db)
    text, score = _kinds(template, "text"), _kinds(template, "score")
    drafts.save_draft(db, insp_id, text.id, "value", "现场记录", actor="王晓明")
    drafts.save_draft(db, insp_id, text.id, "comment", "补充说明", actor="王晓明")
    drafts.save_draft(db, insp_id, score.id, "value", f"{score.points:g}", actor="王晓明")
    db.dispose()
    again = open_data_folder(data_dir)
    try:
        state = svc.load_inspection_state(again, insp_id)
        assert state.answers[text.id].value == "现场记录"
        assert state.answers[text.id].comment == "补充说明"
        assert state.answers[score.id].value == score.points
        assert state.score.total > 0
        assert drafts.pending_drafts(again) == []
        with again.session() as s:
            assert audit.verify_chain(s).ok
    finally:
        again.dispose()


def test_a_refused_or_frozen_draft_is_dropped_with_its_reason(db) -> None:
    insp_id, template = start(db)
    score = _kinds(template, "score")
    drafts.save_draft(db, insp_id, score.id, "value", f"{score.points * 10:g}", actor="甲")
    result = drafts.recover_drafts(db)
    assert result.applied == [] and len(result.dropped) == 1
    assert svc.load_inspection_state(db, insp_id).answers.get(score.id) is None

    answer_all(db, insp_id, template)
    svc.complete_inspection(db, insp_id, actor="甲")
    text = _kinds(template, "text")
    drafts.save_draft(db, insp_id, text.id, "comment", "晚到的文字", actor="甲")
    result = drafts.recover_drafts(db)
    assert [d.item_id for d, _why in result.dropped] == [text.id]
    assert drafts.pending_drafts(db) == []


def test_an_edit_replaces_the_draft_in_the_same_transaction(db) -> None:
    insp_id, template = start(db)
    text = _kinds(template, "text")
    drafts.save_draft(db, insp_id, text.id, "value", "草稿", actor="甲")
    drafts.save_draft(db, insp_id, text.id, "comment", "评论草稿", actor="甲")
    svc.answer_item(db, insp_id, text.id, "定稿", actor="甲")
    assert [(d.item_id, d.kind) for d in drafts.pending_drafts(db)] == [(text.id, "comment")]
    svc.comment_item(db, insp_id, text.id, "定稿评论", actor="甲")
    assert drafts.pending_drafts(db) == []


def test_a_draft_is_capped(db) -> None:
    insp_id, template = start(db)
    text = _kinds(template, "text")
    with pytest.raises(InvalidInput, match=str(limits.COMMENT)):
        drafts.save_draft(db, insp_id, text.id, "comment", "字" * (limits.COMMENT + 1), actor="甲")
    with pytest.raises(InvalidInput):
        drafts.save_draft(db, insp_id, text.id, "other", "x", actor="甲")
    assert drafts.pending_drafts(db) == []
