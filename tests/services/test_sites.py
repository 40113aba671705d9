"""Site import from CSV and Excel: all-or-nothing, with messages naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from inspector_app.services.errors import InvalidInput
from inspector_app.services.sites import import_sites, list_sites
from tests.services.helpers import db_fingerprint

HEADER = "编号,名称,类型,区市,依托单位,地址,联系人,联系电话\n"
GOOD = (
    HEADER
    + "PB-01,威海某中试基地,中试基地,环翠区,某公司,威海市某路1号,孙主任,0631-1\n"
    + "TT-01,威海某技术转移中心,tech_transfer,高区,,威海市某路2号,周主任,0631-2\n"
)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_csv_import_and_reimport_is_a_no_op(ws, tmp_path: Path) -> None:
    f = _write(tmp_path, "sites.csv", GOOD, "utf-8-sig")
    r = import_sites(ws, f, actor="测试员")
    assert (r.added, r.updated, r.unchanged) == (2, 0, 0)
    sites = {s.code: s for s in list_sites(ws)}
    assert sites["PB-01"].site_type == "pilot_base" and sites["PB-01"].district == "环翠区"
    assert sites["TT-01"].host_unit is None
    before = db_fingerprint(ws.db.path)
    r2 = import_sites(ws, f, actor="测试员")
    assert (r2.added, r2.updated, r2.unchanged) == (0, 0, 2)
    assert db_fingerprint(ws.db.path) == before


def test_changed_row_updates_with_a_new_revision(ws, tmp_path: Path) -> None:
    import_sites(ws, _write(tmp_path, "a.csv", GOOD), actor="测试员")
    r = import_sites(
        ws, _write(tmp_path, "b.csv", GOOD.replace("孙主任", "钱主任")), actor="测试员"
    )
    assert r.updated == 1
    site = next(s for s in list_sites(ws) if s.code == "PB-01")
    assert (site.contact_name, site.revision, site.base_revision) == ("钱主任", 2, 1)


def test_gb18030_csv_from_excel(ws, tmp_path: Path) -> None:
    r = import_sites(ws, _write(tmp_path, "gbk.csv", GOOD, "gb18030"), actor="测试员")
    assert r.added == 2
    assert {s.name for s in list_sites(ws)} == {"威海某中试基地", "威海某技术转移中心"}


def test_xlsx_import(ws, tmp_path: Path) -> None:
    wb = Workbook()
    sheet = wb.active
    sheet.append(["code", "name", "type", "district"])
    sheet.append(["PF-01", "仪器共享平台", "platform", "文登区"])
    sheet.append([None, None, None, None])  # blank rows are skipped
    path = tmp_path / "sites.xlsx"
    wb.save(path)
    assert import_sites(ws, path, actor="测试员").added == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (HEADER + "PB-01,甲,游乐场,,,,,\n", "sites.csv:2: unknown site type '游乐场'"),
        (
            HEADER + "PB-01,甲,中试基地,,,,,\nPB-01,乙,中试基地,,,,,\n",
            "sites.csv:3: duplicate code 'PB-01' (first on line 2)",
        ),
        (HEADER + "PB-01,,中试基地,,,,,\n", "sites.csv:2: name is empty"),
        ("编号,名称\nPB-01,甲\n", "sites.csv:1: missing the column 'site_type'"),
        ("编号,名称,类型,颜色\nPB-01,甲,中试基地,红\n", "sites.csv:1: unknown column '颜色'"),
    ],
)
def test_bad_csv_names_file_and_line_and_writes_nothing(
    ws, tmp_path: Path, body: str, expected: str
) -> None:
    import_sites(ws, _write(tmp_path, "ok.csv", GOOD.replace("PB-01", "PB-99")), actor="测试员")
    before = db_fingerprint(ws.db.path)
    path = _write(tmp_path, "sites.csv", body + GOOD.split("\n", 1)[1])
    with pytest.raises(InvalidInput) as info:
        import_sites(ws, path, actor="测试员")
    assert expected in str(info.value).replace(str(tmp_path) + "/", "")
    assert db_fingerprint(ws.db.path) == before


def test_broken_xlsx_and_unknown_format(ws, tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InvalidInput, match=r"broken\.xlsx: not a readable Excel workbook"):
        import_sites(ws, bad, actor="测试员")
    other = tmp_path / "sites.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"only \.csv and \.xlsx"):
        import_sites(ws, other, actor="测试员")
    with pytest.raises(InvalidInput, match="cannot read"):
        import_sites(ws, tmp_path / "missing.csv", actor="测试员")
    assert list_sites(ws) == []
