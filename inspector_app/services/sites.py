"""The site registry: import from CSV or Excel, list, look up.

An import is all-or-nothing: every row is checked first, and only a file without a single
problem is written, in one transaction. Re-importing the same file changes nothing; a row
whose code exists with other details updates that site (new revision, audited).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from inspector_app.domain.catalog import Site
from inspector_app.domain.checklists.schema import SiteType
from inspector_app.domain.ids import utcnow as _now
from inspector_app.fsutil import FileRefused, open_regular
from inspector_app.i18n import _
from inspector_app.presenters.labels import site_type_label  # noqa: F401  (re-exported for the CLI)
from inspector_app.services.errors import InvalidInput, NotFound
from inspector_app.store import audit
from inspector_app.store.repo import sites as repo
from inspector_app.workspace import Workspace

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20000

# Accepted column headers, Chinese or English, mapped to Site fields.
COLUMNS: dict[str, str] = {
    "code": "code",
    "编号": "code",
    "代码": "code",
    "备案编号": "code",
    "name": "name",
    "名称": "name",
    "单位名称": "name",
    "name_en": "name_en",
    "英文名称": "name_en",
    "type": "site_type",
    "site_type": "site_type",
    "类型": "site_type",
    "district": "district",
    "区市": "district",
    "所在区市": "district",
    "host_unit": "host_unit",
    "依托单位": "host_unit",
    "address": "address",
    "地址": "address",
    "contact_name": "contact_name",
    "contact": "contact_name",
    "联系人": "contact_name",
    "contact_phone": "contact_phone",
    "phone": "contact_phone",
    "联系电话": "contact_phone",
}
SITE_TYPES: dict[str, SiteType] = {
    "pilot_base": SiteType.PILOT_BASE,
    "中试基地": SiteType.PILOT_BASE,
    "中试示范基地": SiteType.PILOT_BASE,
    "tech_transfer": SiteType.TECH_TRANSFER,
    "技术转移服务机构": SiteType.TECH_TRANSFER,
    "技术转移机构": SiteType.TECH_TRANSFER,
    "platform": SiteType.PLATFORM,
    "平台": SiteType.PLATFORM,
    "创新平台": SiteType.PLATFORM,
    "仪器共享平台": SiteType.PLATFORM,
}
REQUIRED = ("code", "name", "site_type")
FIELDS = (
    "code",
    "name",
    "name_en",
    "site_type",
    "district",
    "host_unit",
    "address",
    "contact_name",
    "contact_phone",
)
# the caps of a site's fields are its columns' lengths (docs/design.md, "Limits"): the same
# ones package import checks
_LENGTHS = repo.field_lengths()
MAX_LEN: dict[str, int] = {name: _LENGTHS[name] for name in FIELDS if name != "site_type"}
# an .xlsx is a zip: what its members unpack to is capped before openpyxl reads them (a
# member's declared size bounds what zipfile unpacks; a lying one fails its CRC)
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
MAX_XLSX_MEMBERS = 1000
# A site list has a dozen columns and rows of a few hundred characters: far wider is not one
# (a header of 20 million empty columns, a sheet padded to 16,384 columns, read cell by cell)
MAX_COLUMNS = 50
MAX_LINE_CHARS = 64 * 1024


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def _read_csv(path: Path, raw: bytes) -> list[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030/GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput(_("{file}: not UTF-8 or GB18030 text", file=path))
    if "\x00" in text:
        raise InvalidInput(_("{file}: not a text file", file=path))
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    for n, line in enumerate(io.StringIO(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise InvalidInput(
                _(
                    "{file}:{line}: longer than {n} characters",
                    file=path,
                    line=n,
                    n=f"{MAX_LINE_CHARS:,}",
                )
            )
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            _check_width(path, reader.line_num, row)
            rows.append((reader.line_num, row))
            if len(rows) > MAX_ROWS + 1:
                raise InvalidInput(_("{file}: more than {n} rows", file=path, n=MAX_ROWS))
    except csv.Error as exc:
        raise InvalidInput(
            _("{file}:{line}: malformed CSV: {error}", file=path, line=reader.line_num, error=exc)
        ) from None
    return rows


def _check_width(path: Path, line: int, row: list[str]) -> None:
    """Refuse a row with something past the widest a site list has."""
    if any(c.strip() for c in row[MAX_COLUMNS:]):
        raise InvalidInput(
            _("{file}:{line}: more than {n} columns", file=path, line=line, n=MAX_COLUMNS)
        )


def _check_xlsx_zip(path: Path, fh: BinaryIO) -> None:
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput(
            _("{file}: not a readable Excel workbook ({error})", file=path, error=exc)
        ) from None
    if len(infos) > MAX_XLSX_MEMBERS or sum(i.file_size for i in infos) > MAX_XLSX_UNPACKED:
        raise InvalidInput(
            _(
                "{file}: not a readable Excel workbook ({error})",
                file=path,
                error=_("it unpacks to more than {n} MiB", n=MAX_XLSX_UNPACKED // 2**20),
            )
        )
    fh.seek(0)


def _read_xlsx(path: Path, fh: BinaryIO) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    _check_xlsx_zip(path, fh)
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            _("{file}: not a readable Excel workbook ({error})", file=path, error=exc)
        ) from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        raise InvalidInput(
            _("{file}: not a readable Excel workbook ({error})", file=path, error=exc)
        ) from None
    try:
        ws = wb.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        # never padded to the sheet's stated width: one column past the widest allowed
        for n, row in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), 1):
            if n > MAX_ROWS + 1:
                raise InvalidInput(_("{file}: more than {n} rows", file=path, n=MAX_ROWS))
            cells = ["" if v is None else str(v) for v in row]
            _check_width(path, n, cells)
            rows.append((n, cells))
        return rows
    finally:
        wb.close()


def read_site_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Parse and check a site list; raise ``InvalidInput`` listing every bad row."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise InvalidInput(_("{file}: only .csv and .xlsx files can be imported", file=path))
    try:
        fh = open_regular(path, MAX_IMPORT_BYTES)  # no FIFO, device or folder; at most 20 MiB
    except FileRefused as exc:
        raise InvalidInput(
            _("{file}: cannot read the file: {error}", file=path, error=exc)
        ) from None
    except OSError as exc:
        raise InvalidInput(
            _("{file}: cannot read the file: {error}", file=path, error=exc.strerror or exc)
        ) from None
    with fh:
        if suffix == ".csv":
            raw = fh.read(MAX_IMPORT_BYTES + 1)
            if len(raw) > MAX_IMPORT_BYTES:
                raise InvalidInput(_("{file}: larger than 20 MiB", file=path))
            rows = _read_csv(path, raw)
        else:
            rows = _read_xlsx(path, fh)
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput(_("{file}: the file has no rows", file=path))
    header_line, header = rows[0]
    columns: list[str | None] = []
    problems: list[str] = []
    for cell in header:
        key = COLUMNS.get(cell.strip().lower()) or COLUMNS.get(cell.strip())
        if cell.strip() and key is None:
            problems.append(
                _(
                    "{file}:{line}: unknown column {col!r}",
                    file=path,
                    line=header_line,
                    col=cell.strip(),
                )
            )
        if key is not None and key in columns:
            problems.append(
                _(
                    "{file}:{line}: column {col!r} given twice",
                    file=path,
                    line=header_line,
                    col=cell.strip(),
                )
            )
        columns.append(key)
    for req in REQUIRED:
        if req not in columns:
            problems.append(
                _("{file}:{line}: missing the column {col!r}", file=path, line=header_line, col=req)
            )
    if problems:
        raise InvalidInput("\n".join(problems))
    out: list[tuple[int, dict[str, str]]] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        rec = {k: "" for k in FIELDS}
        for key, cell in zip(columns, row, strict=False):
            if key:
                rec[key] = cell.strip()
        for req in REQUIRED:
            if not rec[req]:
                problems.append(_("{file}:{line}: {col} is empty", file=path, line=line, col=req))
        raw_type = rec["site_type"]
        st = SITE_TYPES.get(raw_type.lower()) or SITE_TYPES.get(raw_type)
        if raw_type and st is None:
            problems.append(
                _(
                    "{file}:{line}: unknown site type {value!r} (use pilot_base, "
                    "tech_transfer or platform)",
                    file=path,
                    line=line,
                    value=raw_type,
                )
            )
        else:
            rec["site_type"] = st.value if st else ""
        for key, limit in MAX_LEN.items():
            if len(rec[key]) > limit:
                problems.append(
                    _(
                        "{file}:{line}: {col} is longer than {n} characters",
                        file=path,
                        line=line,
                        col=key,
                        n=limit,
                    )
                )
        code = rec["code"]
        if code in seen:
            problems.append(
                _(
                    "{file}:{line}: duplicate code {code!r} (first on line {first})",
                    file=path,
                    line=line,
                    code=code,
                    first=seen[code],
                )
            )
        elif code:
            seen[code] = line
        out.append((line, rec))
    if problems:
        raise InvalidInput("\n".join(problems))
    return out


def upsert_sites(
    ws: Workspace, records: list[dict[str, Any]], *, actor: str, is_sample: bool = False
) -> ImportResult:
    result = ImportResult()
    with ws.db.transaction() as s:
        existing = {site.code: site for site in repo.all_sites(s)}
        for rec in records:
            values: dict[str, Any] = {k: (rec.get(k) or None) for k in FIELDS}
            values["code"], values["name"], values["site_type"] = (
                rec["code"],
                rec["name"],
                rec["site_type"],
            )
            site = existing.get(rec["code"])
            if site is None:
                site = Site(**values, is_sample=is_sample)
                repo.add_site(s, site)
                audit.append(
                    s, actor=actor, action="create", entity="site", entity_id=site.id, new=values
                )
                existing[site.code] = site
                result.added += 1
            else:
                changes = {
                    k: (getattr(site, k), v) for k, v in values.items() if getattr(site, k) != v
                }
                if not changes:
                    result.unchanged += 1
                    continue
                for k, (old, new) in changes.items():
                    audit.append(
                        s,
                        actor=actor,
                        action="update",
                        entity="site",
                        entity_id=site.id,
                        field=k,
                        old=old,
                        new=new,
                    )
                site = dataclasses.replace(
                    site,
                    **{k: new for k, (_old, new) in changes.items()},
                    base_revision=site.revision,
                    revision=site.revision + 1,
                    updated_at=_now(),
                )
                repo.update_site(s, site)
                existing[site.code] = site
                result.updated += 1
            result.codes.append(rec["code"])
    return result


def import_sites(ws: Workspace, path: Path, *, actor: str) -> ImportResult:
    rows = read_site_rows(path)
    return upsert_sites(ws, [rec for _line, rec in rows], actor=actor)


def list_sites(ws: Workspace, site_type: str | None = None) -> list[Site]:
    with ws.db.session() as s:
        return repo.all_sites(s, site_type)


def find_site(ws: Workspace, ref: str) -> Site:
    """By id or by code."""
    with ws.db.session() as s:
        site = repo.site(s, ref) or repo.by_code(s, ref)
    if site is None:
        raise NotFound(_("no site {ref!r}", ref=ref))
    return site


def site_dict(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "code": site.code,
        "name": site.name,
        "name_en": site.name_en,
        "type": site.site_type,
        "district": site.district,
        "host_unit": site.host_unit,
        "address": site.address,
        "contact_name": site.contact_name,
        "contact_phone": site.contact_phone,
        "sample": site.is_sample,
        "revision": site.revision,
    }
