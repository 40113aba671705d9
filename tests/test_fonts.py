"""The bundled Chinese font: really there, really covers Chinese, embeddable in PDFs."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from inspector_app import fonts, paths
from tests.conftest import ROOT, run_cli

FONT_FILE = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"


def test_the_font_file_and_its_licence_are_bundled() -> None:
    assert fonts.FONT_PATH == paths.fonts_dir() / "wqy-microhei.ttc" == FONT_FILE
    assert FONT_FILE.stat().st_size > 4_000_000  # the real 5 MB collection, not a pointer
    licence = (ROOT / "resources" / "fonts" / "LICENSE-wqy-microhei.txt").read_text("utf-8")
    assert "Apache" in licence


def test_font_report_says_bundled_chinese_with_glyf_outlines() -> None:
    report = fonts.font_report()
    assert report["family"] == fonts.FONT_FAMILY == "WenQuanYi Micro Hei"
    assert Path(report["file"]) == FONT_FILE
    assert report["bundled"] is True
    assert report["format"] == "TrueType collection (glyf outlines)"
    assert report["outlines"] == "glyf"
    assert report["covers_chinese"] is True
    assert report["missing"] == ""
    assert report["sample"] == "中文"
    assert "error" not in report
    assert fonts.font_problems(report) == []


def test_face_0_has_glyf_not_cff_and_face_1_is_the_mono_face() -> None:
    kind, tags = fonts.sfnt_tables(FONT_FILE, 0)
    assert kind == "collection"
    assert {"glyf", "loca", "cmap"} <= set(tags)
    assert "CFF " not in tags and "CFF2" not in tags
    assert fonts.inspect_font(FONT_FILE, 1)["family"] == "WenQuanYi Micro Hei Mono"
    with pytest.raises(fonts.FontError, match="no face 2"):
        fonts.sfnt_tables(FONT_FILE, 2)


def test_coverage_is_read_from_the_cmap() -> None:
    assert fonts.covers(fonts.CHINESE_SAMPLE)
    assert fonts.covers("中文 ABC abc 0-9，。")
    # U+E000 (private use) and an emoji are not in the font: the check can say no.
    assert not fonts.covers("中\ue000")
    assert not fonts.covers("😀")
    assert fonts.missing_chars("中文\ue000😀\ue000 ") == "\ue000😀"


def test_a_missing_font_is_reported(tmp_path: Path) -> None:
    report = fonts.inspect_font(tmp_path / "absent.ttc")
    assert report["bundled"] is False
    assert report["covers_chinese"] is False
    assert fonts.font_problems(report) == [f"font missing: {tmp_path / 'absent.ttc'}"]


def test_a_file_that_is_not_a_font_is_reported(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ttc"
    junk.write_bytes(b"not a font at all, just some bytes")
    report = fonts.inspect_font(junk)
    assert report["bundled"] is True
    assert report["covers_chinese"] is False
    assert "not a TrueType/OpenType font" in report["error"]
    assert any(p.startswith("font unreadable") for p in fonts.font_problems(report))


def test_cff_outlines_are_refused(tmp_path: Path) -> None:
    """An OpenType/CFF font (as Noto CJK is) cannot be embedded by reportlab."""
    tags = [b"CFF ", b"OS/2", b"cmap", b"head", b"hhea", b"hmtx", b"maxp", b"name", b"post"]
    header = b"OTTO" + struct.pack(">HHHH", len(tags), 128, 3, 16)
    directory = b"".join(tag + struct.pack(">III", 0, 0, 0) for tag in tags)
    cff = tmp_path / "cff.otf"
    cff.write_bytes(header + directory)
    report = fonts.inspect_font(cff)
    assert report["outlines"] == "CFF"
    assert report["format"] == "OpenType font (CFF outlines)"
    assert report["covers_chinese"] is False
    assert any("no TrueType glyf outlines (CFF)" in p for p in fonts.font_problems(report))


def test_doctor_reports_the_font(data_dir: Path) -> None:
    out = run_cli("doctor", "--json", data_dir=data_dir)
    report = json.loads(out.stdout)
    font = report["font"]
    assert font["family"] == "WenQuanYi Micro Hei"
    assert font["bundled"] is True
    assert font["covers_chinese"] is True
    assert font["format"] == "TrueType collection (glyf outlines)"
    assert Path(font["file"]) == FONT_FILE
    assert [p for p in report["problems"] if p.startswith("font")] == []


def test_doctor_names_a_missing_font(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector_app.services import doctor

    absent = data_dir / "absent.ttc"
    monkeypatch.setattr(doctor, "font_report", lambda: fonts.inspect_font(absent))
    report = doctor.run_doctor(data_dir)
    assert report["font"]["bundled"] is False
    assert f"font missing: {absent}" in report["problems"]
    assert report["ok"] is False


def test_reportlab_measures_and_embeds_chinese(tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    name = fonts.register_reportlab_font()
    assert name == "WQYMicroHei"
    assert fonts.register_reportlab_font() == name  # once
    assert pdfmetrics.getFont(name).face.familyName == b"WenQuanYi Micro Hei"
    assert pdfmetrics.stringWidth("中文", name, 10) == pytest.approx(20.0)  # full-width em
    pdf = tmp_path / "zh.pdf"
    c = canvas.Canvas(str(pdf))
    c.setFont(name, 12)
    c.drawString(72, 720, "中文 现场检查")
    c.save()
    data = pdf.read_bytes()
    assert b"/FontFile2" in data  # TrueType outlines embedded (a subset)
    assert b"WenQuanYiMicroHei" in data
