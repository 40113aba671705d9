"""Templates whose numbers or structure would break the scoring later are refused when they
are loaded, with file:line (docs/forms.md, "Validation"; docs/design.md, "Limits")."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest

from inspector_app.domain.checklists.loader import (
    TemplateError,
    canonical_json,
    load_template,
    load_template_text,
    template_from_json,
)
from tests.conftest import DATA, fifo, plain_id

MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")
CITATIONS = """  citations:
    - {id: a, title: A, tag: official}
    - {id: a, title: B, tag: mirror}
"""


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def _only_issue(text: str) -> tuple[int, str]:
    with pytest.raises(TemplateError) as info:
        load_template_text(text, "t.yaml")
    issues = info.value.issues
    assert len(issues) == 1, issues
    assert str(issues[0]).startswith(f"t.yaml:{issues[0].line}: ")
    return issues[0].line, issues[0].message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{min: 300, points: 10}", "{min: .inf, points: 10}", "bands[1].min: inf is not a finite"),
        ("{min: 300, points: 10}", "{min: .nan, points: 10}", "bands[1].min: nan is not a finite"),
        (
            "{min: 300, points: 10}",
            "{min: 1.0e-320, points: 10}",
            "bands[1].min: 9.99989e-321 is too small",
        ),
        ("{min: 300, points: 10}", "{min: 1e-320, points: 10}", "is too small"),  # a string to YAML
        (
            "{min: 300, points: 10}",
            "{min: 300, points: 1.0e-7}",
            "bands[1].points: 1e-07 is too small",
        ),
        ("        min_value: 0\n", "        min_value: .nan\n", "min_value: nan is not a finite"),
        (
            "        min_value: 0\n",
            "        min_value: -1.0e+13\n",
            "min_value: -1e+13 is too large",
        ),
        ("min: 90}", "min: .inf}", "grades[0].min: inf is not a finite"),
        ("min: 90}", "min: .nan}", "grades[0].min"),
        ("        points: 20\n", "        points: 1e400\n", "items[0].points: inf is not a finite"),
        ("    points: 40\n", "    points: 1" + "0" * 400 + "\n", "sections[0].points: "),
        (
            "        guidance: {zh: 有工",
            "        step: 1.0e-320\n        guidance: {zh: 有工",
            "step: 9.99989e-321 is too small",
        ),
        (
            "        guidance: {zh: 有工",
            "        step: 3\n        guidance: {zh: 有工",
            "not a multiple of the step 3",
        ),
        ("{id: good, label", "{id: excellent, label", "grade id 'excellent' is given twice"),
        (
            "  note: {zh: 示例权重, en: Sample weights}\n",
            "  note: {zh: 示例权重, en: Sample weights}\n" + CITATIONS,
            "citation ids must be unique",
        ),
        (
            "title: {zh: 基础条件, en: Basic conditions}",
            "title: {zh: 基础条件, en: " + "x" * 4001 + "}",
            "at most 4000 characters",
        ),
    ],
    ids=plain_id,
)
def test_numbers_that_would_break_scoring_are_refused_at_their_line(
    old: str, new: str, message: str
) -> None:
    assert old in MINI
    text = MINI.replace(old, new, 1)
    line, got = _only_issue(text)
    assert message in got
    # a field's own problem is reported at its line; a rule between fields at its object's
    where = {
        "not a multiple of the step 3": "id: s1.team",
        "grade id 'excellent' is given twice": "grades:",
        "citation ids must be unique": "citations:",
    }.get(message, new.strip().splitlines()[0][:20])
    assert line == _line_of(text, where)


def test_the_same_template_with_sane_numbers_loads() -> None:
    text = MINI.replace("{min: 300, points: 10}", "{min: 0.000001, points: 10}")
    text = text.replace("        min_value: 0\n", "        min_value: -1000000000000\n")
    assert load_template_text(text, "t.yaml").template.item("s1.equip").bands[1].min == 1e-6


def laughs(levels: int) -> str:
    """A "billion laughs": each level nine aliases of the one before (levels=8: 346 bytes
    that PyYAML would make a tree of 9^8 nodes, today 10.8 s and 1.1 GB)."""
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    names = "abcdefghijklmnopqrstuvwxyz"
    for prev, name in itertools.pairwise(names[: levels + 1]):
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    return text


def test_a_billion_laughs_is_refused_at_once() -> None:
    """(The full 346-byte one runs in a child process with its memory capped:
    tests/cli/test_hostile_input.py.)"""
    started = time.perf_counter()
    line, message = _only_issue(laughs(4))
    assert time.perf_counter() - started < 1
    assert (line, message) == (
        2,
        "b[0]: YAML aliases (*name) and merge keys are not allowed in templates",
    )


def test_aliases_and_merge_keys_are_refused_even_when_small() -> None:
    text = MINI.replace(
        "    points: 60\n",
        "    points: 60\n    extra: &shared {zh: 甲, en: A}\n    again: *shared\n",
        1,
    )
    line, message = _only_issue(text)
    assert line == _line_of(text, "again: *shared") and "aliases" in message
    merged = MINI.replace(
        "title: {zh: 服务绩效, en: Results}", "<<: *base\n    title: {zh: 服务绩效, en: Results}"
    ).replace(
        "title: {zh: 基础条件, en: Basic conditions}",
        "title: &base {zh: 基础条件, en: Basic conditions}",
    )
    line, message = _only_issue(merged)
    assert "aliases" in message and line == _line_of(merged, "<<: *base")


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    for depth in (40, 900, 5000):
        with pytest.raises(TemplateError, match=r"nested|nesting"):
            load_template_text("a: " + "[" * depth + "]" * depth + "\n", "t.yaml")


@pytest.mark.parametrize("kind", ["fifo", "folder", "too large"])
def test_only_small_regular_files_are_read(tmp_path: Path, kind: str) -> None:
    """(/dev/zero, which a read would never finish, is tried by the CLI tests in a child
    process with its memory capped: tests/cli/test_hostile_input.py.)"""
    path = tmp_path / "x.yaml"
    if kind == "fifo":
        fifo(path)  # a read would wait for a writer for ever
        expect = "a named pipe (FIFO), not a regular file"
    elif kind == "folder":
        path.mkdir()
        expect = "a folder, not a regular file"
    else:
        with path.open("wb") as fh:
            fh.truncate(3 * 1024 * 1024)  # sparse: nothing is written
        expect = "too large: 3,145,728 bytes (at most 2,097,152)"
    started = time.perf_counter()
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert time.perf_counter() - started < 1
    assert str(info.value) == f"{path}:0: cannot read the file: it is {expect}"


def test_a_pinned_template_with_a_non_finite_number_is_refused_too() -> None:
    """What a package brings: canonical JSON, parsed by pydantic, not YAML."""
    good = json.loads(canonical_json(load_template_text(MINI, "t.yaml").template))
    good["sections"][0]["items"][0]["bands"][1]["min"] = float("nan")
    with pytest.raises(ValueError, match="not a finite number"):
        template_from_json(json.dumps(good))
