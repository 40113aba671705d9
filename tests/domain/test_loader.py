"""Template loading: valid files load whole; invalid ones name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.domain.checklists.loader import (
    TemplateError,
    load_template,
    load_template_text,
    validate_files,
)
from inspector_app.paths import form_files
from tests.conftest import DATA, FORMS

MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")


def _issue_lines(text: str) -> list[tuple[int, str]]:
    with pytest.raises(TemplateError) as info:
        load_template_text(text, "t.yaml")
    return [(i.line, i.message) for i in info.value.issues]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bundled_templates_are_valid() -> None:
    files = form_files(FORMS)
    assert len(files) >= 3
    loaded, issues = validate_files(files)
    assert issues == []
    site_types = {lt.template.site_type.value for lt in loaded}
    assert {"pilot_base", "tech_transfer", "platform"} <= site_types
    for lt in loaded:
        t = lt.template
        assert t.total_points == 100
        assert sum(s.points for s in t.sections) == 100
        assert t.vetoes, f"{t.id} has no veto items"
        for item in t.items():
            assert item.title.zh and item.title.en
            if item.scored:
                assert item.evidence, f"{t.id}:{item.id} lists no on-site evidence"


def test_bundled_templates_cover_every_answer_type() -> None:
    loaded, _ = validate_files(form_files(FORMS))
    types = {i.type.value for lt in loaded for i in lt.template.items()}
    assert types == {"yes_no", "score", "number", "choice", "text", "date"}
    assert any(i.show_if for lt in loaded for i in lt.template.items())
    assert any(i.photos_required for lt in loaded for i in lt.template.items())


def test_mini_loads_with_a_stable_hash() -> None:
    a = load_template(DATA / "mini.yaml")
    b = load_template_text(MINI + "\n# a comment changes nothing\n", "copy.yaml")
    assert a.content_hash == b.content_hash
    assert len(a.content_hash) == 64
    c = load_template_text(MINI.replace("小模板", "小模板二"), "changed.yaml")
    assert c.content_hash != a.content_hash


def test_malformed_yaml_names_the_line() -> None:
    broken = MINI.replace("    points: 40\n", "    points: [40\n", 1)
    issues = _issue_lines(broken)
    assert len(issues) == 1
    assert "malformed YAML" in issues[0][1] or "YAML" in issues[0][1]
    assert issues[0][0] >= _line_of(MINI, "points: 40")


def test_duplicate_key_is_refused_with_both_lines() -> None:
    text = MINI.replace('version: "1"\n', 'version: "1"\nversion: "2"\n')
    issues = _issue_lines(text)
    assert issues[0][0] == 3
    assert "version" in issues[0][1] and "line 2" in issues[0][1]


def test_unknown_field_names_line_and_path() -> None:
    text = MINI.replace("        type: yes_no\n", "        type: yes_no\n        pointz: 3\n")
    ((line, message),) = _issue_lines(text)
    assert line == _line_of(text, "pointz")
    assert "sections[0].items[1].pointz" in message


def test_wrong_answer_type_is_reported_at_its_line() -> None:
    text = MINI.replace("type: choice", "type: multiple_choice")
    ((line, message),) = _issue_lines(text)
    assert line == _line_of(text, "multiple_choice")
    assert "type" in message


def test_points_that_do_not_add_up() -> None:
    text = MINI.replace("        points: 20\n", "        points: 25\n", 1)
    issues = _issue_lines(text)
    assert any("add up" in m or "best band" in m for _, m in issues)
    assert all(line > 1 for line, _ in issues)


def test_duplicate_ids_are_refused() -> None:
    text = MINI.replace("id: s2.date", "id: s1.team")
    ((line, message),) = _issue_lines(text)
    assert line == _line_of(text, "id: s1.team") or "duplicate id" in message
    assert "duplicate id 's1.team'" in message


def test_show_if_must_point_at_an_earlier_item() -> None:
    text = MINI.replace(
        'show_if: {item: s1.lab, equals: "yes"}', "show_if: {item: s2.level, equals: high}"
    )
    ((line, message),) = _issue_lines(text)
    assert line == _line_of(text, "show_if")
    assert "s2.level" in message


def test_veto_grade_must_exist() -> None:
    text = MINI.replace("veto_grade: fail", "veto_grade: nope")
    ((line, message),) = _issue_lines(text)
    assert "veto_grade" in message
    assert line == 1  # a whole-template rule: reported at the top


def test_score_item_needs_guidance() -> None:
    text = MINI.replace(
        "        guidance: {zh: 有工程负责人得5分, en: Engineering lead 5 points}\n", ""
    )
    ((line, message),) = _issue_lines(text)
    assert "guidance" in message
    assert line == _line_of(text, "id: s1.team")


def test_invalid_file_loads_nothing_and_others_still_load(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    bad = tmp_path / "bad.yaml"
    good.write_text(MINI, encoding="utf-8")
    bad.write_text(
        MINI.replace("id: mini", "id: other").replace("points: 60\n", "points: 61\n", 1),
        encoding="utf-8",
    )
    loaded, issues = validate_files([good, bad])
    assert [lt.template.id for lt in loaded] == ["mini"]
    assert issues and all(i.file == str(bad) for i in issues)
    assert str(issues[0]).startswith(f"{bad}:")


def test_same_id_and_version_twice_is_an_error(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(MINI, encoding="utf-8")
    b.write_text(MINI, encoding="utf-8")
    loaded, issues = validate_files([a, b])
    assert len(loaded) == 1
    assert "also defined" in issues[0].message


def test_not_utf8_and_empty_files(tmp_path: Path) -> None:
    p = tmp_path / "gbk.yaml"
    p.write_bytes("id: 模板\n".encode("gbk"))
    with pytest.raises(TemplateError, match="UTF-8"):
        load_template(p)
    e = tmp_path / "empty.yaml"
    e.write_text("", encoding="utf-8")
    with pytest.raises(TemplateError, match="empty"):
        load_template(e)
