"""An invalid template in forms/ is shown in the desktop, not silently dropped (issue 9,
item 8): the real window over a real data folder whose forms folder holds a broken file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from inspector_app import paths
from tests.conftest import DATA


@pytest.fixture
def forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(DATA / "mini.yaml", folder / "mini.yaml")
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    (folder / "broken.yaml").write_text(
        text.replace("id: mini", "id: broken").replace(
            "{min: 300, points: 10}", "{min: .nan, points: 10}"
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv(paths.FORMS_DIR_ENV, str(folder))
    return folder


def test_the_window_says_which_template_was_not_loaded(
    make_app: Any, qtbot: Any, tmp_path: Path, forms: Path
) -> None:
    app = make_app(tmp_path / "data")
    bar = app.window.form_issues
    assert bar.isVisible()
    assert bar.label.text() == (
        "1 个检查表模板无效，未加载：forms/broken.yaml:31: "
        "sections[0].items[0].bands[1].min: nan 不是有限数值"
    )
    # the valid one was loaded
    from inspector_app.services.templates import list_templates

    assert [t.template_id for t in list_templates(app.ws)] == ["mini"]
    qtbot.mouseClick(bar.details_button, Qt.MouseButton.LeftButton)
    box = bar.details
    assert box is not None and box.isVisible() and not box.isModal()
    assert f"{forms / 'broken.yaml'}:31: sections[0].items[0].bands[1].min" in box.detailedText()
    box.close()
    qtbot.waitUntil(lambda: bar.details is None)
    # fixed: the next window has no bar and the template is pinned
    (forms / "broken.yaml").write_text(
        (DATA / "mini.yaml").read_text(encoding="utf-8").replace("id: mini", "id: broken"),
        encoding="utf-8",
    )
    app.set_language("zh")  # builds the window anew
    assert not app.window.form_issues.isVisible()
    assert sorted(t.template_id for t in list_templates(app.ws)) == ["broken", "mini"]


def test_no_bar_when_every_template_loads(make_app: Any, tmp_path: Path) -> None:
    app = make_app(tmp_path / "data")
    assert not app.window.form_issues.isVisible()
