"""Qt draws Chinese with the bundled font, also on a machine that has no font at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app.fonts import FONT_FAMILY
from tests.conftest import ROOT

# Runs in a child whose fontconfig sees one empty directory. It prints one JSON line.
CHILD = r"""
import json
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontInfo, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from inspector_app.ui.fonts import covers, install_fonts

app = QApplication([])


def render(text):
    label = QLabel(text)  # no font set: the application font is what is tested
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("white"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("black"))
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFixedSize(160, 48)
    return label.grab().toImage()


def dark_pixels(image):
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).lightness() < 128
    )


families_before = QFontDatabase.families()
cjk_before = [
    f
    for f in families_before
    if covers("中", f)
    or QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(f)
]
before_zhong, before_wen = render("中"), render("文")

family = install_fonts(app)
again = install_fonts(app)
font = app.font()
zh, tofu = render("中文"), render("\ue000\ue000")
zhong, wen = render("中"), render("文")
tofu1, tofu2 = render("\ue000"), render("\ue001")

print(json.dumps({
    "families_before": families_before,
    "cjk_before": cjk_before,
    "before_zhong_equals_wen": before_zhong == before_wen,
    "family": family,
    "again": again,
    "app_font_family": QFontInfo(font).family(),
    "point_size": font.pointSizeF(),
    "in_font_zhong": QFontMetrics(font).inFontUcs4(ord("中")),
    "covers_zh": covers("中文", family),
    "covers_pua": covers("\ue000", family),
    "registered": [f for f in QFontDatabase.families() if f.startswith("WenQuanYi")],
    "dark_zh": dark_pixels(zh),
    "zh_equals_tofu": zh == tofu,
    "zhong_equals_wen": zhong == wen,
    "tofu_equals_tofu": tofu1 == tofu2,
}))
"""

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def test_chinese_renders_on_a_machine_without_fonts(tmp_path: Path) -> None:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        FONTS_CONF.format(fonts=empty, cache=tmp_path / "fontconfig-cache"), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        FONTCONFIG_FILE=str(conf),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])

    # The isolation works: no installed font covers Chinese, so 中 and 文 draw the same box.
    assert not any(f.startswith("WenQuanYi") for f in result["families_before"])
    assert result["cjk_before"] == []
    assert result["before_zhong_equals_wen"] is True

    # With the bundled font installed, Chinese is drawn with real, distinct glyphs.
    assert result["family"] == result["again"] == FONT_FAMILY
    assert result["app_font_family"] == FONT_FAMILY
    assert 10 <= result["point_size"] <= 11
    assert result["in_font_zhong"] is True
    assert result["covers_zh"] is True
    assert result["covers_pua"] is False
    assert sorted(result["registered"]) == ["WenQuanYi Micro Hei", "WenQuanYi Micro Hei Mono"]
    assert result["dark_zh"] > 30
    assert result["zh_equals_tofu"] is False
    assert result["zhong_equals_wen"] is False
    # The control: two characters the font lacks draw the same missing-glyph box.
    assert result["tofu_equals_tofu"] is True


@pytest.fixture
def app_font(qapp) -> Iterator[None]:
    """Give the shared QApplication its font back after the test."""
    from PySide6.QtGui import QFont

    saved = QFont(qapp.font())
    yield
    qapp.setFont(saved)


@pytest.mark.usefixtures("app_font")
def test_install_fonts_in_process(qapp) -> None:
    from PySide6.QtGui import QFontDatabase, QFontInfo

    from inspector_app.ui.fonts import covers, install_fonts

    family = install_fonts(qapp)
    assert family == FONT_FAMILY
    assert QFontInfo(qapp.font()).family() == FONT_FAMILY
    assert qapp.font().pointSizeF() >= 10
    assert covers("中文", family)
    assert covers("现场检查 优秀 良好 合格 不合格", family)
    assert not covers("中\ue000", family)
    assert not covers("中文", "No Such Family 不存在")
    families = QFontDatabase.families()
    assert install_fonts(qapp) == family  # idempotent: nothing registered twice
    assert QFontDatabase.families() == families


@pytest.mark.usefixtures("app_font")
def test_install_fonts_fails_loudly_without_the_font(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector_app.ui import fonts as ui_fonts

    monkeypatch.setattr(ui_fonts, "_font_id", None)
    monkeypatch.setattr(ui_fonts, "FONT_PATH", tmp_path / "absent.ttc")
    with pytest.raises(RuntimeError, match="bundled font is missing"):
        ui_fonts.install_fonts(qapp)

    junk = tmp_path / "junk.ttc"
    junk.write_bytes(b"not a font")
    monkeypatch.setattr(ui_fonts, "FONT_PATH", junk)
    with pytest.raises(RuntimeError, match="could not load"):
        ui_fonts.install_fonts(qapp)
