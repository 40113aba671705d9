"""The report's paragraph (``reports.layout.Para``): a plain one-liner is drawn without
reportlab's paragraph machinery, and must look exactly as a ``Paragraph`` would have drawn it.

Each case draws the same text as a ``Para`` and as a reportlab ``Paragraph`` into two one-page
PDFs, renders both with PDFium and compares the pixels, and compares the text poppler
extracts.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from inspector_app.reports.layout import Para, styles

WIDTH = 160.0


def _pdf(path: Path, make, texts: list[tuple[str, ParagraphStyle]]) -> Path:
    canvas = Canvas(str(path), pagesize=(WIDTH + 40, 60 + 70 * len(texts)), invariant=1)
    y = 30 + 70 * len(texts)
    for text, style in texts:
        flowable = make(text, style)
        _w, h = flowable.wrap(WIDTH, 1000)
        y -= h + 20
        flowable.drawOn(canvas, 20, y)
    canvas.save()
    return path


def _pixels(path: Path) -> bytes:
    pdf = pdfium.PdfDocument(str(path))
    try:
        image = pdf[0].render(scale=3).to_pil()
        return image.tobytes()
    finally:
        pdf.close()


CASES = {
    "left, Chinese": ("现场核查：资料齐全", "cell"),
    "centre": ("得分 8 / 10", "cell_center"),
    "right": ("92.50", "cell_right"),
    "grey caption": ("拍摄于 2024-06-03 10:21", "caption"),
    "extra white space": ("  两个   空格  之间 ", "cell"),
    "wraps to two lines": ("这是一段很长的检查意见，" * 4, "cell"),
    "markup": ("<b>粗体</b> 与 &amp; 符号", "cell"),
    "line break": ("第一行<br/>第二行", "cell"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_para_draws_like_a_paragraph(case: str, tmp_path: Path) -> None:
    text, style_name = CASES[case]
    style = getattr(styles(), style_name)
    ours = _pdf(tmp_path / "ours.pdf", Para, [(text, style)])
    theirs = _pdf(tmp_path / "theirs.pdf", Paragraph, [(text, style)])
    assert _pixels(ours) == _pixels(theirs)
    if shutil.which("pdftotext"):
        extract = [
            subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout
            for p in (ours, theirs)
        ]
        assert extract[0] == extract[1]
        assert extract[0].strip()


def test_only_a_plain_text_that_fits_skips_the_paragraph_machinery() -> None:
    s = styles()
    short = Para("得分 8 / 10", s.cell)
    short.wrap(WIDTH, 1000)
    assert short._line == "得分 8 / 10" and "frags" not in short.__dict__
    long = Para("这是一段很长的检查意见，" * 4, s.cell)
    _w, h = long.wrap(WIDTH, 1000)
    assert long._line is None and h > s.cell.leading  # broken into lines by reportlab
    assert Para("<b>粗</b>", s.cell)._line is None
    assert Para("a &amp; b", s.cell)._line is None
    assert Para("", s.cell)._line is None


def test_a_one_liner_parses_when_asked_for_its_fragments_or_split() -> None:
    s = styles()
    p = Para("检查项目", s.cell)
    p.wrap(WIDTH, 1000)
    assert [f.text for f in p.frags] == ["检查项目"]  # parsed on demand
    q = Para("检查项目", s.cell)
    q.wrap(WIDTH, 1000)
    assert q.split(WIDTH, 1) == []  # a line taller than the room cannot split
    assert q._line is None


@pytest.mark.parametrize("alignment", [TA_LEFT, TA_CENTER, TA_RIGHT, TA_JUSTIFY])
def test_indents_and_alignments(alignment: int, tmp_path: Path) -> None:
    base = styles().cell
    style = ParagraphStyle(
        "indented", parent=base, alignment=alignment, leftIndent=12, rightIndent=7
    )
    texts = [("缩进的文字", style), ("Indented text", style)]
    ours = _pdf(tmp_path / "ours.pdf", Para, texts)
    theirs = _pdf(tmp_path / "theirs.pdf", Paragraph, texts)
    assert _pixels(ours) == _pixels(theirs)
