"""store/repo/templates.py on a real database."""

from __future__ import annotations

import dataclasses

from inspector_app.domain.catalog import TemplateVersion
from inspector_app.store.repo import templates as repo


def _tv(template_id: str, version: str, content_hash: str) -> TemplateVersion:
    return TemplateVersion(
        template_id=template_id,
        version=version,
        content_hash=content_hash,
        title_zh="测试",
        title_en="Test",
        site_type="pilot_base",
        sample_weights=False,
        canonical_json="{}",
        source_file="t.yaml",
    )


def test_a_version_added_reads_back_whole(db) -> None:
    tv = _tv("t-repo", "1", "a" * 64)
    with db.transaction() as tx:
        repo.add_version(tx, tv)
    with db.session() as tx:
        assert repo.version(tx, tv.id) == tv
        assert repo.content_hash(tx, tv.id) == "a" * 64
        assert repo.published(tx)[("t-repo", "1")] == "a" * 64
        assert repo.version(tx, "nothing") is None
        assert repo.content_hash(tx, "nothing") is None


def test_versions_of_a_template_and_all_in_order(db) -> None:
    first = _tv("t-repo", "1", "a" * 64)
    second = dataclasses.replace(_tv("t-repo", "2", "b" * 64), id="z-second")
    with db.transaction() as tx:
        repo.add_version(tx, first)
        repo.add_version(tx, second)
    with db.session() as tx:
        assert {v.version for v in repo.versions_of(tx, "t-repo")} == {"1", "2"}
        assert repo.versions_of(tx, "t-repo", "2") == [second]
        assert repo.versions_of(tx, "no-such-template") == []
        every = repo.all_versions(tx)
    ids = [v.template_id for v in every]
    assert ids == sorted(ids) and [v for v in every if v.template_id == "t-repo"] == [first, second]
