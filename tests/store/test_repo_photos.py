"""store/repo/photos.py on a real database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from inspector_app.domain.media import FindingPhoto, Photo
from inspector_app.services import findings as findings_svc
from inspector_app.store.models import Inspection as InspectionRow
from inspector_app.store.repo import photos as repo
from inspector_app.store.repo.sync import RecordClash
from tests.services.helpers import start

WHEN = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _photo(insp_id: str, n: int, **kw: object) -> Photo:
    return Photo(inspection_id=insp_id, sha256=f"{n:064x}", original_name=f"{n}.jpg", **kw)  # type: ignore[arg-type]


def _age(ws, insp_id: str) -> None:  # type: ignore[no-untyped-def]
    with ws.db.transaction() as tx:
        tx.get(InspectionRow, insp_id).updated_at = LONG_AGO  # type: ignore[union-attr]


def _updated(ws, insp_id: str) -> dt.datetime:  # type: ignore[no-untyped-def]
    with ws.db.session() as tx:
        return tx.get(InspectionRow, insp_id).updated_at.replace(tzinfo=dt.UTC)  # type: ignore[union-attr]


def test_photos_read_back_in_the_order_added_and_mark_the_inspection(ws) -> None:
    insp_id, _t = start(ws)
    _age(ws, insp_id)
    # within one second: the rowid keeps the order they were added
    a = _photo(insp_id, 1, item_id="1.1", created_at=WHEN, caption="门口", camera="Canon")
    b = _photo(insp_id, 2, created_at=WHEN)
    c = _photo(insp_id, 3, item_id="1.1", created_at=WHEN, captured_offset=480)
    with ws.db.transaction() as tx:
        for p in (a, b, c):
            repo.add_photo(tx, p)
    assert _updated(ws, insp_id) > LONG_AGO
    with ws.db.session() as tx:
        assert [p.id for p in repo.photos_of(tx, insp_id)] == [a.id, b.id, c.id]
        assert [p.id for p in repo.photos_of(tx, insp_id, "1.1")] == [a.id, c.id]
        got = repo.photos_of(tx, insp_id)[0]
        assert dataclasses.replace(got, created_at=a.created_at) == a
        assert repo.hashes(tx, insp_id) == {a.sha256, b.sha256, c.sha256}
        assert sorted(repo.items_with_photos(tx, insp_id)) == ["1.1", "1.1"]
        assert repo.photos_of(tx, "nothing") == [] and repo.hashes(tx, "nothing") == set()


def test_the_same_photo_twice_in_an_inspection_is_a_clash(ws) -> None:
    insp_id, _t = start(ws)
    with ws.db.transaction() as tx:
        repo.add_photo(tx, _photo(insp_id, 1))
    with pytest.raises(RecordClash, match="UNIQUE"), ws.db.transaction() as tx:
        repo.add_photo(tx, _photo(insp_id, 1))
    with ws.db.session() as tx:
        assert len(repo.photos_of(tx, insp_id)) == 1


def test_a_photo_by_id_or_unambiguous_prefix_and_updated(ws) -> None:
    insp_id, _t = start(ws)
    a = _photo(insp_id, 1, id="abcdef01-0000")
    b = _photo(insp_id, 2, id="abcdef02-0000")
    with ws.db.transaction() as tx:
        repo.add_photo(tx, a)
        repo.add_photo(tx, b)
    with ws.db.session() as tx:
        assert repo.photo(tx, a.id) is not None and repo.photo(tx, "abcdef01").id == a.id  # type: ignore[union-attr]
        assert repo.photo(tx, "abcdef") is None  # ambiguous
        assert repo.photo(tx, "abcde") is None  # too short for a prefix
        assert repo.photo(tx, "nothing") is None
    _age(ws, insp_id)
    changed = dataclasses.replace(a, caption="新", revision=2, base_revision=1)
    with ws.db.transaction() as tx:
        repo.update_photo(tx, changed)
    with ws.db.session() as tx:
        got = repo.photo(tx, a.id)
        assert got is not None and (got.caption, got.revision, got.base_revision) == ("新", 2, 1)
    assert _updated(ws, insp_id) > LONG_AGO


def test_links_of_findings_in_the_order_made_with_their_roles(ws) -> None:
    insp_id, _t = start(ws)
    f1 = findings_svc.add_finding(ws, insp_id, description="一", actor="测试员")
    f2 = findings_svc.add_finding(ws, insp_id, description="二", actor="测试员")
    a, b = _photo(insp_id, 1), _photo(insp_id, 2)
    with ws.db.transaction() as tx:
        repo.add_photo(tx, a)
        repo.add_photo(tx, b)
        assert repo.finding_inspection(tx, f1.id) == insp_id
        assert repo.finding_inspection(tx, "nothing") is None
    _age(ws, insp_id)
    with ws.db.transaction() as tx:
        repo.save_link(tx, FindingPhoto(f1.id, b.id, "after", created_at=WHEN), insp_id)
        repo.save_link(tx, FindingPhoto(f1.id, a.id, created_at=WHEN), insp_id)
        repo.save_link(tx, FindingPhoto(f2.id, a.id, created_at=WHEN), insp_id)
    assert _updated(ws, insp_id) > LONG_AGO
    with ws.db.transaction() as tx:  # linked again: only the role changes
        repo.save_link(tx, FindingPhoto(f2.id, a.id, "after"), insp_id)
    with ws.db.session() as tx:
        link = repo.link(tx, f2.id, a.id)
        assert link is not None and (link.role, link.created_at.replace(tzinfo=dt.UTC)) == (
            "after",
            WHEN,
        )
        assert repo.link(tx, f2.id, b.id) is None
        rows = repo.photos_of_findings(tx, [f1.id, f2.id])
        assert [(fid, p.id, role) for fid, p, role in rows] == [
            (f1.id, b.id, "after"),
            (f1.id, a.id, "evidence"),
            (f2.id, a.id, "after"),
        ]
        assert repo.photos_of_findings(tx, []) == []
