"""The command line names items, templates and grades by their titles, never their internal
ids, and says a provisional grade is provisional (issue 9 #13)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services.photos import add_photos
from tests.conftest import open_ws, run_main
from tests.media import make_jpeg
from tests.services.helpers import start


def internal_ids(template: Any) -> set[str]:
    return {i.id for i in template.items()} | {v.id for v in template.vetoes} | {template.id}


@pytest.fixture
def draft(data_dir: Path, tmp_path: Path) -> tuple[str, Any, Any]:
    """A draft with required answers missing, a finding on an item and a photo of it."""
    from inspector_app.services.templates import sync_forms

    ws = open_ws(data_dir)
    sync_forms(ws)
    insp_id, template = start(ws)
    scored = next(i for i in template.items() if i.scored and i.type.value == "yes_no")
    answers_svc.answer_item(ws, insp_id, scored.id, "yes", actor="测试员")
    findings_svc.add_finding(
        ws, insp_id, description="台账缺失", severity="major", item_id=scored.id, actor="测试员"
    )
    add_photos(ws, insp_id, [make_jpeg(tmp_path / "p.jpg")], item_id=scored.id, actor="测试员")
    ws.close()
    return insp_id, template, scored


@pytest.mark.parametrize(("lang", "provisional"), [("zh", "（暂定）"), ("en", "(provisional)")])
def test_titles_and_a_provisional_grade(
    draft: tuple[str, Any, Any], data_dir: Path, lang: str, provisional: str
) -> None:
    insp_id, template, scored = draft
    outputs = {}
    for args in (
        ("inspections", "list"),
        ("inspections", "show", insp_id),
        ("photos", "list", insp_id),
        ("inspections", "answer", insp_id, scored.id, "no"),
    ):
        r = run_main(*args, data_dir=data_dir, lang=lang)
        assert r.returncode == 0, r.stderr
        outputs[" ".join(args[:2])] = r.stdout
        for internal in internal_ids(template):  # word-bounded: "s1.team" in "s1.team-x" too
            assert not re.search(rf"(?<![\w.-]){re.escape(internal)}(?![\w-])", r.stdout), (
                internal,
                args,
                r.stdout,
            )
    missing = next(i for i in template.items() if i.required and not i.show_if)
    title = missing.title.zh if lang == "zh" else missing.title.en
    show = outputs["inspections show"]
    assert title in show  # "Missing required answers: <titles>"
    template_title = template.title.zh if lang == "zh" else template.title.en
    assert template_title in outputs["inspections list"]
    scored_title = scored.title.zh if lang == "zh" else scored.title.en
    assert scored_title in show and scored_title in outputs["photos list"]  # finding, photo
    for where in ("inspections list", "inspections show", "inspections answer"):
        assert provisional in outputs[where], where
    assert "*" not in outputs["inspections list"]  # one way to say it: the grade
    severity, status = ("较重", "待整改") if lang == "zh" else ("Major", "To be corrected")
    finding = next(line for line in show.splitlines() if "台账缺失" in line)
    assert severity in finding and status in finding and scored_title in finding
    assert "major" not in finding and "open" not in finding
