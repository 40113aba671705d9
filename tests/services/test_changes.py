"""Changes: the union of what several writes changed, and what a screen asks of it."""

from __future__ import annotations

from inspector_app.services.changes import Changes


def test_nothing_changed_is_false_and_each_part_makes_it_true() -> None:
    assert not Changes()
    for one in (
        Changes.of(inspections=["a"]),
        Changes.of(sites=["s"]),
        Changes.of(findings=["f"]),
        Changes.of(photos=["p"]),
        Changes.of(templates=True),
        Changes.of(conflicts=True),
        Changes.all(),
    ):
        assert one


def test_union_keeps_every_part() -> None:
    both = Changes.of(inspections=["a"], findings=["f"]) | Changes.of(
        inspections=["b"], sites=["s"], conflicts=True
    )
    assert both == Changes.of(inspections=["a", "b"], sites=["s"], findings=["f"], conflicts=True)
    assert (Changes() | Changes.all()).everything
    assert (Changes.of(templates=True) | Changes()).templates


def test_what_a_screen_asks() -> None:
    edit = Changes.of(inspections=["a"])
    assert edit.touches_inspection("a") and not edit.touches_inspection("b")
    assert not edit.touches_inspection(None)
    assert Changes.all().touches_inspection("b")
    assert edit.touches_lists() and Changes.of(sites=["s"]).touches_lists()
    assert Changes.of(templates=True).touches_lists()
    assert Changes.of(findings=["f"]).touches_lists()
    assert not Changes.of(photos=["p"], conflicts=True).touches_lists()
