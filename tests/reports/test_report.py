"""PDF inspection reports, checked with the real poppler tools (pdfinfo, pdftotext, pdffonts,
pdfimages, pdftoppm) on the sample data and on small inspections made through the services.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app import i18n, limits
from inspector_app.services import answers as answers_svc
from inspector_app.services import canonical as canonical_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.browse import list_findings
from inspector_app.services.demo import demo_id
from inspector_app.services.demo_images import demo_photo
from inspector_app.services.reports import (
    build_report,
    render_report,
    render_report_bytes,
    report_data,
)
from inspector_app.workspace import Workspace
from tests.conftest import open_ws, prepared_folder
from tests.services.helpers import answer_all, start

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, pdffonts …) not installed"
)

RECHECK = demo_id("inspection", "pb-2024-1-recheck")  # PB-02 复查, completed, carried findings
SIGNED = demo_id("inspection", "pb-2024-1")  # PB-02's first visit: signed, findings open
DRAFT = demo_id("inspection", "pb-2024-5")  # PB-06, a draft partly answered
VETOED = demo_id("inspection", "pb-2024-8")  # PB-09, a triggered veto

# The report's messages with their Chinese, until resources/i18n/zh_CN.json has them: filled
# into the loaded catalogue for each test where missing (a no-op once the file has them).
REPORT_MESSAGES = {
    "(current draft data, not frozen)": "（当前草稿数据，未冻结）",
    "(frozen at completion)": "（完成检查时冻结）",
    "(full text below the table)": "（全文见表后）",
    "(provisional)": "（暂定）",
    "({n}) {title}": "（{n}）{title}",
    "A veto item was triggered: the grade is a fail.": "触发一票否决项，评为不合格。",
    "Address": "地址",
    "After correction": "整改后",
    "Amended: {reason}": "修订原因：{reason}",
    "Before correction": "整改前",
    "Capture time unknown": "拍摄时间不详",
    "Checklist items": "检查项明细",
    "Checklist template": "检查表模板",
    "DRAFT": "草稿",
    "Data SHA-256": "数据 SHA-256",
    "Digital signature": "数字签名",
    "Draft: the inspection is not completed; the score may still change.": "草稿：检查尚未完成，得分可能变化。",
    "Finding {n}": "问题 {n}",
    "Findings and corrective actions": "问题与整改",
    "Follow-up of the inspection of {date}": "对 {date} 检查的复查",
    "Inspected site": "被检查单位",
    "Inspection date": "检查日期",
    "No findings were recorded in this inspection.": "本次检查未发现问题。",
    "No photo": "无照片",
    "No veto item was triggered.": "未触发一票否决项。",
    "No.": "序号",
    "Not applicable (its condition is not met)": "不适用（前置条件不满足）",
    "Not every veto item is answered yet.": "一票否决项尚未全部填写。",
    "Other photos": "其他现场照片",
    "Page {page} of {pages}": "第 {page} 页 共 {pages} 页",
    "Partly sample weights (not official)": "部分为示例权重（非官方）",
    "Photo file missing": "照片文件缺失",
    "Re-inspection": "复查",
    "Related item": "关联检查项",
    "Report No. {number}": "报告编号：{number}",
    "Result": "核查结果",
    "Results": "评价结果",
    "Sample weights (not official)": "示例权重（非官方）",
    "Scan to check the report number and the data SHA-256": "扫码核对报告编号与数据 SHA-256",
    "Share of each section's points earned (%)": "各一级指标得分率（%）",
    "Signatures": "签字确认",
    "Site code": "单位编码",
    "Site type": "单位类型",
    "Sourced weights (from the cited rules)": "有出处权重（依据所引文件）",
    "Taken {time}": "拍摄于 {time}",
    "The points and grade bands are sample weights proposed by the project team, not official weights.": "分值与等级分数线为项目组提出的示例权重，非官方权重。",
    "The score is provisional: required answers are missing.": "得分为暂定：必答项尚未填完。",
    "This report shows revision {rev} of the inspection; data SHA-256: {hash}": "本报告对应检查第 {rev} 版；数据 SHA-256：{hash}",
    "Times are China Standard Time (UTC+8).": "文中时间均为北京时间（UTC+8）。",
    "Total {score} of {max} points; grade: {grade}.": "总分 {score} 分（满分 {max} 分），等级：{grade}。",
    "Triggered: {title}": "触发：{title}",
    "Unanswered": "未填写",
    "Unanswered (required)": "未填写（必答）",
    "Veto item": "一票否决项",
    "Weihai Municipal Science and Technology Bureau": "威海市科学技术局",
    "none of {total} ticked": "均未勾选（共 {total} 项）",
    "reserved for the signer's certificate signature (PAdES)": "预留给签署人的证书签名（PAdES）",
    "{carried} of them carried forward from the previous inspection (re-inspection).": "其中 {carried} 个由上次检查结转（复查）。",
    "{label} (full text)": "{label}（全文）",
    "{names} ({n} of {total})": "{names}（{n}/{total}）",
    "{n} findings, {open} still to be corrected.": "共 {n} 个问题，其中 {open} 个待整改。",
    "{n}. {title}": "{n}、{title}",
    "{points} of {max} points, {percent}": "得分 {points} / {max}，得分率 {percent}",
    "{title} (version {version})": "{title}（{version} 版）",
    "{title} — on-site inspection report": "{title}现场检查报告",
    "{year}-{month:02d}-{day:02d}": "{year}年{month}月{day}日",
}


@pytest.fixture(autouse=True)
def _report_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = i18n.catalogue("zh")
    for msgid, text in REPORT_MESSAGES.items():
        if msgid not in catalogue:
            monkeypatch.setitem(catalogue, msgid, text)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The sample data, loaded once for the read-only tests of this module."""

    database = open_ws(prepared_folder(tmp_path_factory.mktemp("demo") / "data", demo=True))
    yield database
    database.close()


@pytest.fixture(scope="module")
def built(demo: Workspace, tmp_path_factory: pytest.TempPathFactory):
    """Build a demo report once per (inspection, language) for the module."""
    out = tmp_path_factory.mktemp("reports")
    cache: dict[tuple[str, str], object] = {}

    def get(inspection_id: str, lang: str = "zh"):
        key = (inspection_id, lang)
        if key not in cache:
            path = out / f"{inspection_id[:8]}-{lang}.pdf"
            cache[key] = build_report(
                demo, inspection_id, path, lang=lang, organisation="威海市科学技术局"
            )
        return cache[key]

    return get


def tool(*args: str | Path) -> str:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def text_of(pdf: Path) -> str:
    return tool("pdftotext", pdf, "-")


def squeeze(text: str) -> str:
    """Without whitespace: a table cell may wrap a long text anywhere."""
    return "".join(text.split())


def pages_of(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", tool("pdfinfo", pdf), re.M).group(1))


# -- what the PDF says ---------------------------------------------------------------------------


def test_the_pdf_opens_and_reads_in_chinese(demo: Workspace, built) -> None:
    result = built(RECHECK)
    assert result.path.read_bytes().startswith(b"%PDF-")
    assert pages_of(result.path) == result.page_count > 3
    text = text_of(result.path)
    assert "示例·高端医疗器械中试基地" in text
    assert "中试基地绩效评价现场检查报告" in text
    assert result.report_number in text
    assert re.fullmatch(r"WH-2024-PB-02-52eac2-R1", result.report_number)
    assert "第 1 页 共" in text
    assert f"第 {result.page_count} 页 共 {result.page_count} 页" in text
    finding = list_findings(demo, inspection_id=RECHECK)[0]
    assert squeeze(finding["description"]) in squeeze(text)
    assert "一票否决" in text and "整改前" in text and "整改后" in text
    assert "数字签名" in text


def test_the_english_report(built) -> None:
    result = built(RECHECK, "en")
    text = text_of(result.path)
    assert "Page 1 of" in text
    assert f"Page {result.page_count} of {result.page_count}" in text
    assert "Findings and corrective actions" in text
    assert "Digital signature" in text
    assert "第 1 页" not in text


def test_only_embedded_fonts_and_the_cjk_subset(built) -> None:
    for inspection_id in (RECHECK, DRAFT, SIGNED):
        listing = tool("pdffonts", built(inspection_id).path).splitlines()
        rows = listing[2:]  # after the header and the rule
        assert rows, listing
        for row in rows:
            emb, sub, uni = row.split()[-5:-2]
            assert (emb, sub, uni) == ("yes", "yes", "yes"), row
            assert "WenQuanYiMicroHei" in row, row  # nothing else, no standard-14 font


def test_photos_are_embedded_as_jpeg_images(demo: Workspace, built) -> None:
    result = built(RECHECK)
    listing = tool("pdfimages", "-list", result.path).splitlines()[2:]
    jpegs = [r.split() for r in listing if r.split()[2] == "image" and r.split()[8] == "jpeg"]
    # a photo shown twice (on its item and on its finding) is stored once
    assert len({cols[10] for cols in jpegs}) == report_data(demo, RECHECK).photo_count > 0
    assert len(jpegs) > len({cols[10] for cols in jpegs})
    # the drawn signatures of a signed inspection are images too (PNG with alpha)
    signed = tool("pdfimages", "-list", built(SIGNED).path).splitlines()[2:]
    assert any(r.split()[2] == "smask" for r in signed)


# -- deterministic -------------------------------------------------------------------------------


def test_two_builds_are_byte_identical(demo: Workspace, tmp_path: Path) -> None:
    a = build_report(demo, RECHECK, tmp_path / "a.pdf", organisation="威海市科学技术局")
    b = build_report(demo, RECHECK, tmp_path / "sub" / "b.pdf", organisation="威海市科学技术局")
    assert a.path.read_bytes() == b.path.read_bytes()
    assert (
        render_report_bytes(demo, RECHECK, organisation="威海市科学技术局") == a.path.read_bytes()
    )
    info = tool("pdfinfo", a.path)
    assert "2000" not in re.search(r"^CreationDate:.*$", info, re.M).group(0)  # from the data


def test_the_same_data_in_another_folder_gives_the_same_bytes(
    demo: Workspace, tmp_path: Path
) -> None:
    """Photos are named by content, not by path: headquarters can rebuild the same file."""
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    src = sqlite3.connect(demo.db.path)
    dst = sqlite3.connect(copy / demo.db.path.name)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    shutil.copytree(demo.db.path.parent / "media", copy / "media")
    other = open_ws(copy)
    try:
        assert render_report_bytes(other, RECHECK, organisation="X") == render_report_bytes(
            demo, RECHECK, organisation="X"
        )
    finally:
        other.close()


def test_a_change_to_the_inspection_changes_the_bytes(ws: Workspace) -> None:
    insp_id, template = start(ws)
    first = render_report_bytes(ws, insp_id)
    assert render_report_bytes(ws, insp_id) == first
    item = template.sections[0].items[0]
    from tests.services.helpers import best_value

    answers_svc.answer_item(ws, insp_id, item.id, best_value(item), actor="测试员")
    second = render_report_bytes(ws, insp_id)
    assert second != first
    assert render_report_bytes(ws, insp_id) == second


# -- draft watermark, QR, hash ----------------------------------------------------------------


def test_a_draft_carries_the_watermark_on_every_page(built) -> None:
    for lang, word in (("zh", "草稿"), ("en", "DRAFT")):
        draft = built(DRAFT, lang)
        pages = text_of(draft.path).split("\f")[: draft.page_count]
        assert len(pages) == draft.page_count
        assert all(word in page for page in pages), lang
        completed = built(RECHECK, lang)
        assert word not in text_of(completed.path), lang


def test_the_qr_payload_holds_the_report_number_and_the_data_hash(demo: Workspace, built) -> None:
    from inspector_app.reports.model import qr_payload

    payload = qr_payload("WH-2024-PB-02-52eac2-R1", "ab" * 32)
    assert payload == f"inspector-report:v1;no=WH-2024-PB-02-52eac2-R1;sha256={'ab' * 32}"
    result = built(RECHECK)
    data = report_data(demo, RECHECK)
    assert data.qr_payload == qr_payload(result.report_number, result.data_hash)
    assert result.data_hash in data.qr_payload


def test_the_data_hash_is_the_frozen_one_or_the_current_one(demo: Workspace, built) -> None:
    frozen = views_svc.inspection_detail(demo, RECHECK)["data_hash"]
    assert frozen and built(RECHECK).data_hash == frozen
    with demo.db.session() as s:
        from inspector_app.store.models import Inspection

        current = canonical_svc.data_hash(canonical_svc.canonical_data(s, s.get(Inspection, DRAFT)))
    data = report_data(demo, DRAFT)
    assert built(DRAFT).data_hash == current == data.data_hash
    assert not data.data_hash_frozen and report_data(demo, RECHECK).data_hash_frozen


# -- the signature box ---------------------------------------------------------------------------


def test_the_signature_box_is_empty_on_the_last_page(built, tmp_path: Path) -> None:
    from PIL import Image

    result = built(RECHECK)
    box = result.signature_box
    assert box.page == result.page_count - 1
    x1, y1, x2, y2 = box.box
    assert 0 <= x1 < x2 <= 595.28 and 0 <= y1 < y2 <= 841.89
    assert x2 - x1 >= 150 and y2 - y1 >= 50  # room for a stamp
    page = box.page + 1
    tool(
        "pdftoppm",
        "-png",
        "-r",
        "72",
        "-f",
        page,
        "-l",
        page,
        "-singlefile",
        result.path,
        tmp_path / "last",
    )
    with Image.open(tmp_path / "last.png") as im:
        rgb = im.convert("L")
        height = rgb.height
        inside = rgb.crop((int(x1) + 3, int(height - y2) + 3, int(x2) - 3, int(height - y1) - 3))
        assert inside.getextrema() == (255, 255), "something is drawn inside the box"
    text = tool("pdftotext", "-f", page, "-l", page, result.path, "-")
    assert "数字签名" in text


def test_pyhanko_can_add_the_signature_field_in_the_box(built) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    result = built(RECHECK)
    box = result.signature_box
    writer = IncrementalPdfFileWriter(io.BytesIO(result.path.read_bytes()))
    append_signature_field(
        writer, SigFieldSpec(sig_field_name=box.field_name, on_page=box.page, box=box.box)
    )
    out = io.BytesIO()
    writer.write(out)
    reader = PdfFileReader(io.BytesIO(out.getvalue()))
    fields = reader.root["/AcroForm"]["/Fields"]
    assert [f.get_object()["/T"] for f in fields] == [box.field_name]
    widget = fields[0].get_object()
    assert [float(v) for v in widget["/Rect"]] == pytest.approx(list(box.box))


# -- what the data says ---------------------------------------------------------------------------


def test_report_data_of_a_reinspection(demo: Workspace) -> None:
    data = report_data(demo, RECHECK, organisation="某单位")
    assert data.organisation == "某单位"
    assert data.reinspection and data.previous_inspection_date == dt.date(2024, 10, 11)
    carried = [f for f in data.findings if f.carried]
    assert carried and all(f.carried_from_date == dt.date(2024, 10, 11) for f in carried)
    # 复查: the carried finding's own photos are "after"; the original's would be "before"
    assert any(f.after for f in carried)
    detail = views_svc.inspection_detail(demo, RECHECK)
    assert [s.points for s in data.sections] == [s["points"] for s in detail["sections"]]
    assert data.total == detail["score"] and data.grade_label
    items = [i for s in data.sections for i in s.items]
    assert len(items) == sum(len(s["items"]) for s in detail["sections"])
    assert all(i.answer for i in items)
    assert any(i.evidence for i in items) and any(i.photos for i in items)


def test_report_data_of_a_signed_and_a_vetoed_inspection(demo: Workspace, built) -> None:
    signed = report_data(demo, SIGNED)
    assert {g.role for g in signed.signatures} == {"inspector", "site_representative"}
    assert all(g.image_png.startswith(b"\x89PNG") for g in signed.signatures)
    assert all(f.before for f in signed.findings if f.item_id and f.before)
    vetoed = report_data(demo, VETOED, lang="zh")
    assert vetoed.vetoed and any(v.triggered for v in vetoed.vetoes)
    hit = next(v for v in vetoed.vetoes if v.triggered)
    assert squeeze(hit.reason) in squeeze(text_of(built(VETOED).path))


def test_organisation_from_the_settings_else_the_bureau(ws: Workspace) -> None:
    from inspector_app.settings import Settings, load_settings, save_settings

    insp_id, _t = start(ws)
    assert report_data(ws, insp_id, lang="zh").organisation == "威海市科学技术局"
    save_settings(Settings(organisation="威海市科技服务中心"))
    # an open workspace keeps the settings it was opened with: what the command line
    # prints does not change because the desktop saved its settings meanwhile...
    assert report_data(ws, insp_id, lang="zh").organisation == "威海市科学技术局"
    # ...until it takes them, as the desktop's Settings dialog makes it do
    ws = ws.with_settings(load_settings())
    assert report_data(ws, insp_id).organisation == "威海市科技服务中心"
    assert report_data(ws, insp_id, organisation="另一单位").organisation == "另一单位"


def test_building_leaves_the_process_language_alone(ws: Workspace) -> None:
    insp_id, _t = start(ws)
    assert i18n.current_language() == "en"
    render_report(ws, insp_id, lang="zh")
    assert i18n.current_language() == "en"
    assert i18n._("Draft") == "Draft"


# -- hard cases ----------------------------------------------------------------------------------


def test_long_texts_split_across_pages(ws: Workspace) -> None:
    insp_id, template = start(ws)
    answer_all(ws, insp_id, template)
    text_item = next(i for i in template.items() if i.type.value == "text")
    # every text at its cap (inspector_app.limits): a longer one is refused
    long_text = ("现场核查情况<良好>&完整。" * 400)[: limits.TEXT_ANSWER]
    answers_svc.answer_item(ws, insp_id, text_item.id, long_text, actor="测试员")
    answers_svc.comment_item(
        ws, insp_id, text_item.id, "备注" * (limits.COMMENT // 2), actor="测试员"
    )
    for _n in range(3):
        finding = ("问题描述" * 500)[: limits.FINDING_TEXT]
        findings_svc.add_finding(ws, insp_id, description=finding, actor="测试员")
    rendered = render_report(ws, insp_id)
    assert rendered.page_count > 10
    assert rendered.signature_box.page == rendered.page_count - 1


def test_a_missing_display_copy_is_shown_as_missing(ws: Workspace, tmp_path: Path) -> None:
    from inspector_app.services.photos import add_photos, list_photos, photo_files

    insp_id, _t = start(ws)
    shot = demo_photo(tmp_path, "测试照片", "seed", dt.datetime(2024, 10, 1, 9, 30))
    add_photos(ws, insp_id, [shot], actor="测试员", caption="无主照片")
    photo = list_photos(ws, insp_id)[0]
    photo_files(ws, photo).display.unlink()
    data = report_data(ws, insp_id)
    assert [p.display_path for p in data.other_photos] == [None]
    out = build_report(ws, insp_id, tmp_path / "r.pdf", lang="en")
    text = text_of(out.path)
    assert "Photo file missing" in text and "Other photos" in text
    assert photo.sha256[:12] in text


def test_the_file_is_replaced_whole(ws: Workspace, tmp_path: Path) -> None:
    insp_id, _t = start(ws)
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old")
    result = build_report(ws, insp_id, target)
    assert result.path == target and target.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.pdf"]  # no temp left


def test_chinese_numerals_for_headings() -> None:
    from inspector_app.reports.format import numeral

    assert [numeral(n, "zh") for n in (1, 4, 10, 11, 20, 23)] == [
        "一",
        "四",
        "十",
        "十一",
        "二十",
        "二十三",
    ]
    assert numeral(4, "en") == "4"
