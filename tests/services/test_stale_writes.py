"""A write names the answer's revision its caller last saw; an answer changed since is never
overwritten unseen (issue 10, fix 1). Real data folders and a real package conflict."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.services import answers as answers_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.conflicts import resolve_conflicts
from inspector_app.services.errors import Stale
from tests.services.helpers import db_fingerprint, start
from tests.sync.helpers import COMMENT_ITEM, YES_NO_ITEM, two_conflicts


def _view(ws, iid: str, item: str) -> answers_svc.AnswerView:
    return views_svc.load_inspection_state(ws, iid).answers.get(item) or answers_svc.AnswerView()


def test_a_view_knows_its_version_and_a_fresh_write_passes(ws) -> None:
    iid, _template = start(ws)
    assert _view(ws, iid, YES_NO_ITEM).version == ""
    answers_svc.answer_item(ws, iid, YES_NO_ITEM, "yes", actor="王晓明", expected="")
    seen = _view(ws, iid, YES_NO_ITEM)
    assert seen.value == "yes" and seen.version
    answers_svc.answer_item(ws, iid, YES_NO_ITEM, "no", actor="王晓明", expected=seen.version)
    assert _view(ws, iid, YES_NO_ITEM).version not in ("", seen.version)
    # the same state is the same version; the version is not part of the answer's equality
    assert answers_svc.answer_version(None) == ""
    assert _view(ws, iid, YES_NO_ITEM) == answers_svc.AnswerView(value="no", version="other")


@pytest.mark.parametrize(
    "write",
    [
        lambda ws, iid, rev: answers_svc.answer_item(
            ws, iid, YES_NO_ITEM, "yes", actor="甲", expected=rev
        ),
        lambda ws, iid, rev: answers_svc.mark_not_applicable(
            ws, iid, YES_NO_ITEM, actor="甲", expected=rev
        ),
        lambda ws, iid, rev: answers_svc.comment_item(
            ws, iid, YES_NO_ITEM, "意见", actor="甲", expected=rev
        ),
        lambda ws, iid, rev: answers_svc.set_evidence_checked(
            ws, iid, YES_NO_ITEM, [0], actor="甲", expected=rev
        ),
        lambda ws, iid, rev: answers_svc.restore_answer(
            ws, iid, YES_NO_ITEM, answers_svc.AnswerView(value="yes"), actor="甲", expected=rev
        ),
    ],
    ids=["answer", "not applicable", "comment", "evidence", "undo"],
)
def test_every_answer_write_refuses_a_changed_answer(ws, write) -> None:
    iid, _template = start(ws)
    answers_svc.answer_item(ws, iid, YES_NO_ITEM, "no", actor="王晓明")
    seen = _view(ws, iid, YES_NO_ITEM).version
    answers_svc.comment_item(ws, iid, YES_NO_ITEM, "另一个窗口写的", actor="李四")  # meanwhile
    before = db_fingerprint(ws.db.path)
    with pytest.raises(Stale) as e:
        write(ws, iid, seen)
    assert "changed since it was shown" in str(e.value) and "nothing was saved" in str(e.value)
    assert db_fingerprint(ws.db.path) == before  # not a row, not an audit entry
    # an answer someone else created is a change too
    other = "s1.equipment-value"
    answers_svc.answer_item(ws, iid, other, 5, actor="李四")
    with pytest.raises(Stale):
        answers_svc.answer_item(ws, iid, other, 6, actor="甲", expected="")


def test_undo_after_taking_the_incoming_version_does_not_overwrite_it(tmp_path: Path) -> None:
    """The case of issue 10: HQ has the inspection open, edits an answer, then takes the
    laptop's version of it; undoing the edit must not silently put HQ's back."""
    case = two_conflicts(tmp_path)
    hdb, first = case["hq"], case["first"]
    # HQ's own edit, as the editor makes it (the same answer the laptop gave, and the same
    # revision count), and what its undo would restore
    before_edit = _view(hdb, first, YES_NO_ITEM)
    answers_svc.answer_item(
        hdb, first, YES_NO_ITEM, "no", actor="总部", expected=before_edit.version
    )
    answers_svc.comment_item(hdb, first, YES_NO_ITEM, "总部复核", actor="总部")
    after_edit = _view(hdb, first, YES_NO_ITEM)
    done = resolve_conflicts(hdb, None, keep="incoming", actor="总部")
    assert not done.refused
    incoming = views_svc.load_inspection_state(hdb, first).answers
    assert incoming[YES_NO_ITEM].comment is None and incoming[YES_NO_ITEM].value == "no"
    with pytest.raises(Stale):
        answers_svc.restore_answer(
            hdb, first, YES_NO_ITEM, before_edit, actor="总部", expected=after_edit.version
        )
    assert views_svc.load_inspection_state(hdb, first).answers == incoming
    assert incoming[COMMENT_ITEM].comment == "现场的意见"
