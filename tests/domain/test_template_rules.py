"""One test per template rule that mutation testing found unpinned (issue 15).

Each rule is tested alone, on a template that breaks that rule and no other, and on the
nearest template that keeps it (the boundary), asserting the message and where it points.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from inspector_app.domain.checklists.loader import (
    TemplateError,
    canonical_json,
    load_template,
    load_template_text,
    validate_files,
)
from inspector_app.domain.checklists.schema import ChecklistTemplate, ShowIf
from inspector_app.domain.checklists.scoring import Answer, is_visible
from tests.conftest import DATA

MINI_TEXT = (DATA / "mini.yaml").read_text(encoding="utf-8")
MINI = load_template(DATA / "mini.yaml").template
BASE: dict[str, Any] = MINI.model_dump(mode="json", by_alias=True, exclude_none=True)


def data() -> dict[str, Any]:
    """The mini template as data, to break one rule at a time (s1: equip 20 number, lab 10
    yes_no, lab-area text, team 10 score = 40; s2: level 60 choice, date)."""
    return copy.deepcopy(BASE)


def refused(d: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        ChecklistTemplate.model_validate(d)
    return "\n".join(str(e["msg"]) for e in info.value.errors())


def loads(d: dict[str, Any]) -> ChecklistTemplate:
    return ChecklistTemplate.model_validate(d)


def item(d: dict[str, Any], section: int, index: int) -> dict[str, Any]:
    return d["sections"][section]["items"][index]  # type: ignore[no-any-return]


# -- the sums, each alone -----------------------------------------------------------------------


def test_items_must_add_up_to_their_section_by_the_point() -> None:
    d = data()
    item(d, 0, 1)["points"] = 9  # the items give 39; the sections still add up to 100
    assert "the items' points add up to 39, not the section's 40" in refused(d)
    d = data()
    item(d, 0, 1)["points"] = 11
    d["sections"][0]["points"] = 41
    d["sections"][1]["points"] = 59
    item(d, 1, 0)["points"] = 59
    item(d, 1, 0)["options"][0]["points"] = 59
    loads(d)  # both sums hold again
    d = data()
    d["sections"][0]["points"] = 39  # the items give 40, the sections 99
    msg = refused(d)
    assert "the items' points add up to 40, not the section's 39" in msg


def test_sections_must_add_up_to_the_total_by_the_point() -> None:
    d = data()
    d["total_points"] = 101  # every section adds up; the sections give 100
    assert "the sections' points add up to 100, not total_points 101" in refused(d)
    d = data()
    d["total_points"] = 99
    assert "the sections' points add up to 100, not total_points 99" in refused(d)
    d = data()
    for s, points in ((0, 40.5), (1, 59.5)):  # fractions that add up exactly
        d["sections"][s]["points"] = points
    item(d, 0, 3)["points"] = 10.5
    item(d, 1, 0)["points"] = 59.5
    item(d, 1, 0)["options"][0]["points"] = 59.5
    assert loads(d).total_points == 100


def test_a_template_level_message_says_where() -> None:
    text = MINI_TEXT.replace("id: mini\n", "id: mini\ntotal_points: 90\n")
    with pytest.raises(TemplateError) as info:
        load_template_text(text, "t.yaml")
    (issue,) = info.value.issues
    assert issue.file == "t.yaml"
    assert issue.message.startswith("(template): the sections' points add up to 100")
    assert issue.line == 1


# -- grades -------------------------------------------------------------------------------------


def test_grades_descend_to_zero_without_repeats() -> None:
    d = data()
    d["grades"][1]["min"], d["grades"][2]["min"] = 60, 75  # unique, out of order
    assert "grade bands must be listed from the highest 'min' down" in refused(d)
    d = data()
    d["grades"][2]["min"] = 75  # in order, a repeat
    assert "grade bands must be listed from the highest 'min' down" in refused(d)
    d = data()
    d["grades"][3]["min"] = 5
    assert "the last grade band must start at 0" in refused(d)


def test_a_repeated_grade_id_is_named() -> None:
    d = data()
    d["grades"][2]["id"] = "good"  # the second and the third
    assert "grade id 'good' is given twice" in refused(d)


def test_the_top_grade_may_start_at_the_total_but_not_above() -> None:
    d = data()
    d["grades"][0]["min"] = 100
    assert loads(d).grades[0].min == 100
    d["grades"][0]["min"] = 100.5
    assert "the top grade band starts above total_points" in refused(d)
    d = data()
    d["total_points"] = 80  # the top grade (90) is above it, the second (75) is not
    for s, points in ((0, 32), (1, 48)):
        d["sections"][s]["points"] = points
    item(d, 0, 0)["points"] = 12
    item(d, 0, 0)["bands"][0]["points"] = 12
    item(d, 0, 0)["bands"][1]["points"] = 6
    item(d, 1, 0)["points"] = 48
    item(d, 1, 0)["options"][0]["points"] = 48
    item(d, 1, 0)["options"][1]["points"] = 24
    assert "the top grade band starts above total_points" in refused(d)


def test_the_veto_grade_must_be_a_grade() -> None:
    d = data()
    d["veto_grade"] = "expelled"
    assert "veto_grade 'expelled' is not one of the grade ids" in refused(d)


# -- sources ------------------------------------------------------------------------------------


def _cited(d: dict[str, Any]) -> dict[str, Any]:
    d["weights"]["citations"] = [
        {"id": "rule-2024", "title": "办法", "tag": "official"},
    ]
    return d


def test_vetoes_and_sections_cite_known_sources_only() -> None:
    d = _cited(data())
    d["vetoes"][0]["source"] = "rule-2024"
    d["sections"][1]["source"] = "rule-2024"
    loads(d)
    d["vetoes"][0]["source"] = "rule-2099"
    assert "veto 'v-fraud' cites unknown source 'rule-2099'" in refused(d)
    d = _cited(data())
    d["sections"][1]["source"] = "rule-2099"
    assert "section 's2' cites unknown source 'rule-2099'" in refused(d)


def test_citation_ids_are_unique() -> None:
    d = _cited(data())
    d["weights"]["citations"].append({"id": "rule-2024", "title": "又一个", "tag": "mirror"})
    assert "citation ids must be unique" in refused(d)


# -- items --------------------------------------------------------------------------------------


def test_a_scored_item_needs_points_and_an_unscored_one_has_none() -> None:
    d = data()
    item(d, 0, 1)["points"] = 0
    item(d, 0, 3)["points"] = 20  # the section still adds up
    assert "a yes_no item needs points greater than 0" in refused(d)
    d = data()
    item(d, 0, 2)["points"] = 1
    assert "a text item carries no points" in refused(d)


def test_a_score_item_needs_guidance_and_a_step_that_reaches_its_points() -> None:
    d = data()
    del item(d, 0, 3)["guidance"]
    assert "a score item needs written scoring guidance" in refused(d)
    d = data()
    item(d, 0, 3)["step"] = 3
    assert "the points 10 are not a multiple of the step 3" in refused(d)
    item(d, 0, 3)["step"] = 2.5
    assert loads(d).item("s1.team").step == 2.5


def test_number_bands_and_bounds() -> None:
    def equip(**changes: Any) -> dict[str, Any]:
        d = data()
        item(d, 0, 0).update(changes)
        return d

    bands = BASE["sections"][0]["items"][0]["bands"]
    assert "a number item needs a 'unit'" in refused(equip(unit=None) | {})
    d = equip()
    del item(d, 0, 0)["unit"]
    assert "a number item needs a 'unit'" in refused(d)
    assert "a number item needs 'bands'" in refused(equip(bands=[]))
    unsorted = [bands[1], bands[0], bands[2]]
    assert "number bands must be listed from the highest 'min' down" in refused(
        equip(bands=unsorted)
    )
    repeated = [bands[0], {**bands[1], "min": 1000}, bands[2]]
    assert "number bands must be listed from the highest 'min' down" in refused(
        equip(bands=repeated)
    )
    short = [{**bands[0], "points": 15}, bands[1], bands[2]]
    assert "the best band must earn the item's points" in refused(equip(bands=short))
    assert "min_value is greater than max_value" in refused(equip(min_value=10, max_value=5))
    assert loads(equip(min_value=5, max_value=5)).item("s1.equip").max_value == 5
    only_max = equip(max_value=5000)
    del item(only_max, 0, 0)["min_value"]
    assert loads(only_max).item("s1.equip").min_value is None


def test_bands_and_a_unit_belong_to_number_items_only() -> None:
    d = data()
    item(d, 0, 1)["unit"] = {"zh": "个", "en": "pcs"}
    assert "'bands' and 'unit' belong to number items only" in refused(d)
    d = data()
    item(d, 0, 1)["bands"] = [{"min": 0, "points": 10}]
    assert "'bands' and 'unit' belong to number items only" in refused(d)


def test_choice_options() -> None:
    def level(options: list[dict[str, Any]]) -> dict[str, Any]:
        d = data()
        item(d, 1, 0)["options"] = options
        return d

    options = BASE["sections"][1]["items"][0]["options"]
    assert "a choice item needs at least two options" in refused(level(options[:1]))
    assert "option ids must be unique" in refused(level([*options, {**options[2], "points": 5}]))
    short = [{**options[0], "points": 50}, *options[1:]]
    assert "the best option must earn the item's points" in refused(level(short))
    d = data()
    item(d, 0, 1)["options"] = options
    assert "'options' belong to choice items only" in refused(d)


def test_an_item_cannot_depend_on_itself() -> None:
    d = data()
    item(d, 0, 2)["show_if"] = {"item": "s1.lab-area", "equals": "yes"}
    assert "an item cannot depend on itself" in refused(d)


def test_show_if_takes_exactly_one_test() -> None:
    with pytest.raises(ValidationError, match="exactly one of 'equals' or 'in'"):
        ShowIf.model_validate({"item": "x"})
    with pytest.raises(ValidationError, match="exactly one of 'equals' or 'in'"):
        ShowIf.model_validate({"item": "x", "equals": "a", "in": ["a"]})
    assert ShowIf.model_validate({"item": "x", "in": ["a"]}).in_ == ["a"]


def test_numbers_in_a_template_are_sane_at_the_smallest_step() -> None:
    d = data()
    item(d, 0, 3)["step"] = 0.000001  # the smallest a template may give
    assert loads(d).item("s1.team").step == 0.000001
    item(d, 0, 3)["step"] = 0.0000008
    assert "is too small" in refused(d)


# -- conditions: which answers show an item ---------------------------------------------------


def test_show_if_matches_by_value_whatever_its_spelling() -> None:
    def cond(**test: Any) -> ShowIf:
        return ShowIf.model_validate({"item": "x", **test})

    assert cond(equals=True).matches("yes") and cond(equals=True).matches(True)
    assert not cond(equals=True).matches("no")
    assert cond(equals=False).matches("no") and not cond(equals=False).matches("yes")
    assert cond(equals="yes").matches(True)
    assert cond(equals=3).matches(3.0) and cond(equals=3.0).matches(3)
    assert not cond(equals=3).matches(4)
    assert cond(equals="3").matches(3)  # a number answer against text in the file
    assert cond(equals="high").matches("high") and not cond(equals="high").matches("low")
    assert cond(**{"in": ["mid", "high"]}).matches("high")
    assert not cond(**{"in": ["mid", "high"]}).matches("low")
    assert cond(**{"in": [1, 2]}).matches(2.0)
    assert not cond(equals="yes").matches(None)
    assert not cond(**{"in": ["yes"]}).matches(None)
    t = MINI.model_copy()
    area = t.item("s1.lab-area").model_copy(update={"show_if": cond(equals=True)})
    assert area.show_if is not None and area.show_if.item == "x"
    assert is_visible(area, {"x": Answer("yes")}) and not is_visible(area, {"x": Answer("no")})


# -- the loader's checks across the tree ------------------------------------------------------


def _issues(text: str) -> list[tuple[int, str]]:
    with pytest.raises(TemplateError) as info:
        load_template_text(text, "t.yaml")
    assert all(i.file == "t.yaml" for i in info.value.issues)
    return [(i.line, i.message) for i in info.value.issues]


def _line(text: str, needle: str, nth: int = 1) -> int:
    """The line number of the ``nth`` line holding ``needle`` (the whole line if it starts
    with spaces, so that "  - id: s1" is not "      - id: s1.equip")."""
    exact = needle.startswith(" ")
    found = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if (line == needle if exact else needle in line)
    ]
    return found[nth - 1]


def test_veto_section_and_item_ids_share_one_namespace() -> None:
    two_vetoes = MINI_TEXT.replace(
        "sections:\n",
        "  - id: v-fraud\n    title: {zh: 重复, en: Again}\n    reason: {zh: 重复, en: Again}\nsections:\n",
    )
    ((line, msg),) = _issues(two_vetoes)
    assert msg == "vetoes[1].id: duplicate id 'v-fraud' (also at vetoes[0])"
    assert line == _line(two_vetoes, "  - id: v-fraud", 2)
    section_like_veto = MINI_TEXT.replace("  - id: s2\n", "  - id: v-fraud\n")
    ((line, msg),) = _issues(section_like_veto)
    assert msg == "sections[1].id: duplicate id 'v-fraud' (also at vetoes[0])"
    two_sections = MINI_TEXT.replace("  - id: s2\n", "  - id: s1\n")
    ((line, msg),) = _issues(two_sections)
    assert msg == "sections[1].id: duplicate id 's1' (also at sections[0])"
    assert line == _line(two_sections, "  - id: s1", 2)
    item_like_section = MINI_TEXT.replace("      - id: s2.date\n", "      - id: s1\n")
    ((_line_no, msg),) = _issues(item_like_section)
    assert msg == "sections[1].items[1].id: duplicate id 's1' (also at sections[0])"


def test_show_if_must_name_an_earlier_item_and_is_reported_there() -> None:
    text = MINI_TEXT.replace(
        'show_if: {item: s1.lab, equals: "yes"}', "show_if: {item: s2.level, equals: high}"
    )
    ((line, msg),) = _issues(text)
    assert msg.startswith("sections[0].items[2].show_if.item: show_if refers to 's2.level'")
    assert line == _line(text, "show_if:")


def _with_choice_condition(test: str) -> str:
    return MINI_TEXT.replace(
        "      - id: s2.date\n",
        f"      - id: s2.why\n        title: {{zh: 原因, en: Why}}\n        type: text\n"
        f"        required: false\n        show_if: {{item: s2.level, {test}}}\n"
        "      - id: s2.date\n",
    )


def test_show_if_values_are_options_of_the_choice_item() -> None:
    assert load_template_text(_with_choice_condition("equals: low"), "t.yaml")
    assert load_template_text(_with_choice_condition("in: [low, mid]"), "t.yaml")
    ((_line_no, msg),) = _issues(_with_choice_condition("equals: poor"))
    assert (
        msg == "sections[1].items[1].show_if: show_if value 'poor' is not an option of 's2.level'"
    )
    issues = _issues(_with_choice_condition("in: [low, awful, dire]"))
    assert [m for _l, m in issues] == [
        "sections[1].items[1].show_if: show_if value 'awful' is not an option of 's2.level'",
        "sections[1].items[1].show_if: show_if value 'dire' is not an option of 's2.level'",
    ]
    # a condition on a yes/no item is not checked against options
    assert load_template_text(MINI_TEXT.replace('equals: "yes"', "equals: maybe"), "t.yaml")


def test_a_missing_field_is_reported_at_its_item_not_its_list() -> None:
    text = MINI_TEXT.replace("        title: {zh: 有独立场地, en: Own premises}\n", "")
    ((line, msg),) = _issues(text)
    assert msg.startswith("sections[0].items[1].title: ")
    assert line == _line(text, "- id: s1.lab")


def test_a_nested_mistake_is_reported_at_its_own_line() -> None:
    text = MINI_TEXT.replace("{min: 300, points: 10}", "{min: 300, points: 10, colour: red}")
    ((line, msg),) = _issues(text)
    assert msg.startswith("sections[0].items[0].bands[1].colour: ")
    assert line == _line(text, "colour: red")


def test_a_deep_file_is_refused_at_the_depth_limit_not_before() -> None:
    from inspector_app.domain.checklists.loader import MAX_DEPTH

    def nested(levels: int) -> str:
        return "id: x\ndescription: " + "[" * levels + "]" * levels + "\n"

    msgs = [m for _l, m in _issues(nested(MAX_DEPTH))]
    assert not any("levels deep" in m for m in msgs)
    msgs = [m for _l, m in _issues(nested(MAX_DEPTH + 1))]
    assert any(f"nested more than {MAX_DEPTH} levels deep" in m for m in msgs)


def test_a_refused_alias_and_a_bad_byte_say_their_line() -> None:
    text = "id: &a x\nversion: *a\n"
    ((line, msg),) = _issues(text)
    assert line == 2 and "aliases" in msg
    listed = "id: x\nsections:\n  - &s\n    id: a\n  - id: b\n  - *s\n"
    ((line, _msg),) = _issues(listed)
    assert line == 6  # the alias's own line, not its anchor's


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_bytes(b"id: x\nversion: '1'\ntitle: \xff\n")
    with pytest.raises(TemplateError) as info:
        load_template(p)
    ((issue,),) = [info.value.issues]
    assert (issue.file, issue.line) == (str(p), 3)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + MINI_TEXT.encode("utf-8"))
    assert load_template(bom).template.id == "mini"


def test_malformed_yaml_points_at_the_problem() -> None:
    text = MINI_TEXT.replace("    points: 40\n", "    points: [40\n", 1)
    ((line, msg),) = _issues(text)
    assert msg.startswith("malformed YAML: ")
    assert line > _line(text, "points: [40")  # where the parser noticed, after the bracket
    ((line, msg),) = _issues("id: x\n  bad: indent\n")
    assert line == 2 and msg.startswith("malformed YAML: ")


def test_validate_files_goes_on_after_a_bad_file_and_a_duplicate(tmp_path: Path) -> None:
    files = []
    for name, text in (
        ("a.yaml", MINI_TEXT),
        ("b.yaml", MINI_TEXT),  # the same id and version
        ("c.yaml", "id: [\n"),  # broken
        ("d.yaml", MINI_TEXT.replace('version: "1"', 'version: "2"')),
    ):
        files.append(tmp_path / name)
        files[-1].write_text(text, encoding="utf-8")
    loaded, issues = validate_files(files)
    assert [(lt.template.version, lt.path) for lt in loaded] == [("1", files[0]), ("2", files[3])]
    duplicate = issues[0]
    assert (duplicate.file, duplicate.line) == (str(files[1]), 1)
    assert duplicate.message == f"template mini version 1 is also defined in {files[0]}"
    assert issues[1].file == str(files[2])


# -- what a template is pinned as ---------------------------------------------------------------


def test_the_canonical_form_and_its_hash_are_fixed() -> None:
    loaded = load_template(DATA / "mini.yaml")
    assert loaded.path == DATA / "mini.yaml"
    assert loaded.canonical_json == canonical_json(loaded.template)
    # the hash an inspection pins: changing the canonical form orphans every pinned version
    assert loaded.content_hash == "fc1adf3fa8d35e889141ef9bfc219ad7ecaa2f0121dabad293a843caaff1dfac"
    text = loaded.canonical_json
    assert '"zh":"小模板"' in text  # compact, Chinese as itself
    assert ": " not in text and ", " not in text
    assert "null" not in text  # fields left out stay out
    assert '"show_if":{"equals":"yes","item":"s1.lab"}' in text  # keys sorted
    assert json.loads(text) == loaded.template.model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    with_in = load_template_text(
        MINI_TEXT.replace('equals: "yes"', 'in: ["yes"]'), "t.yaml"
    ).canonical_json
    assert '"show_if":{"in":["yes"],"item":"s1.lab"}' in with_in  # the alias, as written
    from_text = load_template_text(MINI_TEXT, "t.yaml")
    assert from_text.content_hash == loaded.content_hash
    assert from_text.canonical_json == loaded.canonical_json and from_text.path is None


def test_lookups_by_id() -> None:
    assert MINI.item("s1.team").points == 10
    assert MINI.veto("v-fraud").reason.zh == "弄虚作假一票否决"
    assert MINI.grade("good").min == 75
    for lookup, missing in ((MINI.item, "s9"), (MINI.veto, "v-none"), (MINI.grade, "best")):
        with pytest.raises(KeyError, match=missing):
            lookup(missing)


def test_a_duplicate_key_and_an_alias_as_a_key_say_file_and_line() -> None:
    text = MINI_TEXT.replace('version: "1"\n', 'version: "1"\nid: again\n')
    ((line, msg),) = _issues(text)
    assert line == 3 and msg == "duplicate key 'id' (first on line 1)"
    ((line, msg),) = _issues("id: &k x\n*k : y\n")
    assert line == 2 and "aliases" in msg


def test_a_deep_node_is_reported_at_its_own_line() -> None:
    from inspector_app.domain.checklists.loader import MAX_DEPTH

    text = (
        "id: x\nversion: '1'\ndescription:\n"
        + "".join("  " * i + "-\n" for i in range(MAX_DEPTH))
        + "  " * MAX_DEPTH
        + "- deep\n"
    )
    issues = _issues(text)
    assert any(m == f"nested more than {MAX_DEPTH} levels deep" for _l, m in issues)
    ((line, _m),) = [(ln, m) for ln, m in issues if "levels deep" in m]
    assert line == 3 + MAX_DEPTH + 1  # the first node below the limit


def test_a_condition_on_a_number_against_text_is_false_not_an_error() -> None:
    cond = ShowIf.model_validate({"item": "x", "equals": "high"})
    assert cond.matches(3) is False
    assert ShowIf.model_validate({"item": "x", "equals": 3}).matches("high") is False


def test_a_pinned_template_is_parsed_once_and_the_oldest_goes_first() -> None:
    from inspector_app.domain.checklists import loader

    lt = load_template(DATA / "mini.yaml")
    assert loader.cached_template(lt.content_hash) is None
    first = loader.template_once(lt.content_hash, lt.canonical_json)
    assert first == lt.template
    assert loader.template_once(lt.content_hash, "not even JSON") is first  # not parsed again
    assert loader.cached_template(lt.content_hash) is first
    for n in range(loader.PARSED_KEPT - 1):
        loader.template_once(f"other-{n}", lt.canonical_json)
    assert len(loader._PARSED) == loader.PARSED_KEPT
    assert loader.cached_template(lt.content_hash) is first  # full, nothing dropped yet
    loader.template_once("one-more", lt.canonical_json)
    assert len(loader._PARSED) == loader.PARSED_KEPT
    assert loader.cached_template(lt.content_hash) is None  # the oldest went
    assert loader.cached_template("other-0") is not None
