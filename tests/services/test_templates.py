"""Pinning forms/ into the data folder: once, by content, and cheaply at every start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inspector_app.services import templates
from inspector_app.services.templates import list_templates, sync_forms
from tests.conftest import DATA, FORMS


def test_unchanged_forms_are_not_parsed_again(ws, monkeypatch: pytest.MonkeyPatch) -> None:
    before = len(list_templates(ws))

    def boom(_files):  # type: ignore[no-untyped-def]
        raise AssertionError("forms/ parsed although nothing changed")

    monkeypatch.setattr(templates, "validate_files", boom)
    result = sync_forms(ws)
    assert result.added == [] and result.issues == []
    assert len(list_templates(ws)) == before


def test_a_new_file_is_pinned_and_an_invalid_one_reported(ws, tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    shutil.copytree(FORMS, folder)
    shutil.copy(DATA / "mini.yaml", folder / "mini.yaml")
    (folder / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    result = sync_forms(ws, folder)
    assert [t.template_id for t in result.added] == ["mini"]
    assert any("broken.yaml:" in str(i) for i in result.issues)
    again = sync_forms(ws, folder)  # the broken file keeps being reported
    assert again.added == [] and any("broken.yaml:" in str(i) for i in again.issues)
