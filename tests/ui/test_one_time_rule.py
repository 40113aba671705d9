"""One time rule everywhere (issue 9, item 3): a signature's time and a photo's time read the
same in the desktop, in `inspections show --json` and in the PDF report (pdftotext)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services import signatures as signatures_svc
from inspector_app.services.demo_images import signature_png
from inspector_app.services.photos import add_photos
from tests.conftest import open_ws, prepared_folder, run_cli
from tests.media import exif, make_jpeg
from tests.services.helpers import answer_all, start

# 18:18 UTC is 02:18 the next day in Beijing: the defect showed 18:18 in the app
SIGNED = dt.datetime(2026, 12, 1, 18, 18, tzinfo=dt.UTC)
SIGNED_SHOWN = "2026-12-02 02:18"
# a camera without an offset: its wall time, 10:02, never shifted to 18:02
CAMERA = "2026:12:01 10:02:33"
CAMERA_SHOWN = "2026-12-01 10:02"


def _signed_inspection_with_a_photo(ws: Any, data_dir: Path, tmp_path: Path) -> tuple[str, str]:
    insp_id, template = start(ws)
    item = next(i for i in template.items() if i.photos_required and not i.show_if)
    photo = make_jpeg(tmp_path / "IMG_1002.JPG", exif_data=exif(taken=CAMERA, model="TG-7"))
    report = add_photos(ws, insp_id, [photo], actor="测试员", item_id=item.id)
    assert not report.refused
    answer_all(ws, insp_id, template)
    svc.complete_inspection(ws, insp_id, actor="测试员")
    for name in ("王晓明", "李娜"):
        signatures_svc.record_signature(
            ws,
            insp_id,
            signer_name=name,
            role="inspector",
            image_png=signature_png(name, name),
            signed_at=SIGNED,
            actor="测试员",
        )
    return insp_id, item.id


def test_a_signature_and_a_photo_read_the_same_everywhere(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:

    ws = open_ws(prepared_folder(data_dir))
    insp_id, item_id = _signed_inspection_with_a_photo(ws, data_dir, tmp_path)
    ws.close()

    # the desktop: the signature line of the editor and the photo viewer of the item
    app = make_app(data_dir)
    editor = app.window.open_inspection(insp_id)
    assert f"王晓明 ✓ {SIGNED_SHOWN}" in editor.header.sign_label.text()
    editor.select_item(item_id, focus=False)
    (photo,) = [p for p in editor.photos if p.item_id == item_id]
    editor.view_photo(photo.id, item_only=True)
    viewer = editor.dialog
    assert CAMERA_SHOWN in viewer.info.text() and "第 1 / 1 张" in viewer.info.text()
    viewer.close()

    # the command line
    shown = run_cli("inspections", "show", insp_id, "--json", data_dir=data_dir, lang="zh")
    detail = json.loads(shown.stdout)
    (sig, _second) = detail["signatures"]
    assert sig["signed_at_display"] == SIGNED_SHOWN
    assert sig["signed_at"] == "2026-12-01T18:18:00Z"
    (p,) = detail["photos"]
    assert p["taken_display"].startswith(CAMERA_SHOWN)
    assert p["captured_local"] == "2026-12-01 10:02:33" and p["captured_at"] is None
    assert detail["display_zone"] == "Asia/Shanghai"

    # the report
    pdf = tmp_path / "report.pdf"
    made = run_cli("report", insp_id, "-o", str(pdf), "--lang", "zh", data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert SIGNED_SHOWN in text and "2026-12-01 18:18" not in text
    assert p["taken_display"] in text
    assert "18:02" not in text
    assert "Asia/Shanghai" in text  # the zone is named on the report


def test_the_pades_stamp_shows_the_display_zone(demo_ws: Any, tmp_path: Path) -> None:
    from inspector_app.services.browse import list_inspections
    from inspector_app.services.report_signing import sign_report

    row = next(r for r in list_inspections(demo_ws) if r["status"] == "signed")
    out = tmp_path / "signed.pdf"
    res = sign_report(demo_ws, row["id"], out, passphrase="demo-passphrase", lang="zh")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "+0000" not in text
    at = text.index("签名时间")
    stamp = text[at : at + 120]
    assert "时区：北京时间（Asia/Shanghai，UTC+08:00）" in stamp, stamp
    assert res.signer in views_svc.inspection_detail(demo_ws, row["id"])["inspectors"]


def test_the_pades_stamp_time_is_the_display_zones_on_a_laptop_set_to_utc(
    demo_ws: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """pyHanko printed the stamp's time in the machine's own zone: on a laptop whose clock
    is set to UTC the stamp said 23:05 under "time zone: Beijing time" (07:05 there). The
    stamp's time is the claimed signing time, in the display zone."""
    import tzlocal

    from inspector_app import timefmt
    from inspector_app.services.browse import list_inspections
    from inspector_app.services.report_signing import sign_report
    from inspector_app.signing.verify import verify_pdf

    monkeypatch.setattr(tzlocal, "get_localzone", lambda: dt.UTC)
    assert timefmt.zone_name() == "Asia/Shanghai"
    row = next(r for r in list_inspections(demo_ws) if r["status"] == "signed")
    out = tmp_path / "signed.pdf"
    sign_report(demo_ws, row["id"], out, passphrase="demo-passphrase", lang="zh")
    claimed = verify_pdf(out).claimed_signing_time
    assert claimed is not None
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    stamp = text[text.index("签名时间") :][:120]
    assert timefmt.format_instant(claimed, seconds=True) in stamp, stamp
    assert claimed.astimezone(dt.UTC).strftime("%H:%M:%S") not in stamp, stamp
