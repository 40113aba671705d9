"""store/repo/sites.py on a real database."""

from __future__ import annotations

import dataclasses

import pytest

from inspector_app.domain.catalog import Site
from inspector_app.store.repo import sites as repo


def test_a_site_added_reads_back_by_id_and_code(db) -> None:
    site = Site(code="PB-R1", name="基地", site_type="pilot_base", district="市南区")
    with db.transaction() as tx:
        repo.add_site(tx, site)
    with db.session() as tx:
        assert repo.site(tx, site.id) == site
        assert repo.by_code(tx, "PB-R1") == site
        assert repo.site(tx, "nothing") is None and repo.by_code(tx, "nothing") is None
        assert repo.codes(tx) == {"PB-R1"}


def test_a_code_taken_raises_at_once(db) -> None:
    with db.transaction() as tx:
        repo.add_site(tx, Site(code="PB-R1", name="甲", site_type="pilot_base"))
    with pytest.raises(Exception, match="UNIQUE"), db.transaction() as tx:
        repo.add_site(tx, Site(code="PB-R1", name="乙", site_type="pilot_base"))


def test_update_and_list_by_type_and_code(db) -> None:
    b = Site(code="PB-2", name="乙", site_type="pilot_base")
    a = Site(code="PB-1", name="甲", site_type="pilot_base")
    t = Site(code="TT-1", name="丙", site_type="tech_transfer")
    with db.transaction() as tx:
        for site in (t, b, a):
            repo.add_site(tx, site)
    changed = dataclasses.replace(a, name="甲二", revision=2, base_revision=1)
    with db.transaction() as tx:
        repo.update_site(tx, changed)
    with db.session() as tx:
        assert repo.all_sites(tx) == [changed, b, t]
        assert repo.all_sites(tx, "tech_transfer") == [t]


def test_field_lengths_are_the_columns() -> None:
    lengths = repo.field_lengths()
    assert lengths["code"] == 64 and lengths["contact_phone"] == 50
    assert "is_sample" not in lengths and "revision" not in lengths
