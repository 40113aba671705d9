"""Inspector packages: writing them, and opening hostile ones safely (RELIABILITY B6, C11-C13).

Real files and real zips throughout. Hostile zips are assembled byte by byte (``build_zip``) so
that each one differs from a valid, correctly signed package in exactly one respect; every
rejection test checks the reason, so a check that went missing would show.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import stat
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector_app.sync.identity import DeviceIdentity, device_identity
from inspector_app.sync.manifest import FORMAT, FORMAT_VERSION, MEMBER_RE, Manifest
from inspector_app.sync.package import SUFFIX, open_package, read_manifest, write_package
from inspector_app.sync.strict import Limits, PackageRejected

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
IDENTITY = DeviceIdentity("0f8e4d62-3b1a-4c5d-9e7f-a1b2c3d4e5f6", "测试笔记本 A", KEY)
PACKAGE_ID = "6b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
CREATED = "2026-11-27T08:15:00Z"
MiB = 2**20

RECORDS = json.dumps({"inspections": [{"id": "i-1", "title": "中试基地 2026"}]}).encode()
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 48


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media(data: bytes, ext: str = "jpg") -> str:
    return f"media/{sha(data)}.{ext}"


JPEG_NAME, PNG_NAME = media(JPEG), media(PNG, "png")
FILES = [("data/records.json", RECORDS), (JPEG_NAME, JPEG), (PNG_NAME, PNG)]


def write(out: Path, members: Sequence[tuple[str, bytes | Path]] = FILES, **kw: Any) -> Manifest:
    identity = kw.pop("identity", IDENTITY)
    args: dict[str, Any] = {
        "kind": "inspections",
        "sequence": 7,
        "schema_version": "0003_sync",
        "app_version": "1.4.0",
        "created_at": CREATED,
        "summary": {"inspections": 1, "titles": ["中试基地 2026"]},
        "audit_head": "ab" * 32,
        "members": members,
        "package_id": PACKAGE_ID,
    }
    args.update(kw)
    return write_package(out, identity, **args)


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    folder = tmp_path / "staging"
    folder.mkdir()
    return folder


def rejected(pkg: Path, staging: Path, match: str, limits: Limits | None = None) -> PackageRejected:
    """open_package refuses ``pkg`` for the expected reason and leaves staging empty."""
    with pytest.raises(PackageRejected, match=match) as info:
        open_package(pkg, staging, limits=limits)
    assert list(staging.iterdir()) == []
    return info.value


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# --- zips built byte by byte ------------------------------------------------------------------

LOCAL = struct.Struct("<4s2B4HL2L2H")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")
DOS_DATE = (1 << 5) | 1  # 1980-01-01


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@dataclass
class Entry:
    name: str
    content: bytes  # the uncompressed content
    method: int = zipfile.ZIP_STORED
    raw: bytes | None = None  # the bytes stored in the zip (default: content, deflated for 8)
    size: int | None = None  # the declared uncompressed size (default: the real one)
    crc: int | None = None
    flags: int = 0
    mode: int = stat.S_IFREG | 0o644
    at: int | None = None  # the directory points here, and no local header is written
    extra: bytes = b""  # an extra field in the directory entry

    def stored(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return deflate(self.content) if self.method == zipfile.ZIP_DEFLATED else self.content

    def local_header(self) -> bytes:
        name = self.name.encode()
        size = len(self.content) if self.size is None else self.size
        crc = zlib.crc32(self.content) if self.crc is None else self.crc
        fields = (self.flags, self.method, 0, DOS_DATE, crc, len(self.stored()), size, len(name))
        return LOCAL.pack(b"PK\x03\x04", 20, 0, *fields, 0) + name


def build_zip(entries: Sequence[Entry], *, count: int | None = None) -> bytes:
    body, directory = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode()
        if e.at is None:
            offset = len(body)
            body += e.local_header() + e.stored()
        else:
            offset = e.at
        size = len(e.content) if e.size is None else e.size
        crc = zlib.crc32(e.content) if e.crc is None else e.crc
        directory += CENTRAL.pack(
            b"PK\x01\x02", 20, 3, 20, 0, e.flags, e.method, 0, DOS_DATE, crc,
            len(e.stored()), size, len(name), len(e.extra), 0, 0, 0, e.mode << 16, offset,
        ) + name + e.extra  # fmt: skip
    n = len(entries) if count is None else count
    return bytes(
        body + directory + END.pack(b"PK\x05\x06", 0, 0, n, n, len(directory), len(body), 0)
    )


def manifest_doc(files: Sequence[tuple[str, bytes]], key: Ed25519PrivateKey = KEY) -> dict:
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_id": PACKAGE_ID,
        "kind": "inspections",
        "device_id": IDENTITY.device_id,
        "device_name": IDENTITY.device_name,
        "sequence": 3,
        "schema_version": "0003_sync",
        "app_version": "1.4.0",
        "created_at": CREATED,
        "public_key": public,
        "files": [{"path": n, "size": len(d), "sha256": sha(d)} for n, d in files],
        "summary": {"inspections": 1},
        "audit_head": None,
    }


def encode(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed(manifest: dict | bytes, key: Ed25519PrivateKey = KEY) -> list[Entry]:
    data = manifest if isinstance(manifest, bytes) else encode(manifest)
    return [
        Entry("manifest.json", data, zipfile.ZIP_DEFLATED),
        Entry("manifest.sig", key.sign(data)),
    ]


def package(
    path: Path,
    files: Sequence[tuple[str, bytes]] = FILES,
    *,
    extra: Sequence[Entry] = (),
    doc: dict | None = None,
) -> Path:
    """A correctly signed package listing ``files``, plus ``extra`` entries."""
    entries = signed(doc or manifest_doc(files)) + [Entry(n, d) for n, d in files]
    path.write_bytes(build_zip([*entries, *extra]))
    return path


def members_of(pkg: Path) -> list[tuple[str, bytes, int]]:
    with zipfile.ZipFile(pkg) as zf:
        return [(i.filename, zf.read(i), i.compress_type) for i in zf.infolist()]


def rebuild(pkg: Path, out: Path, items: Sequence[tuple[str, bytes, int]]) -> Path:
    out.write_bytes(build_zip([Entry(n, d, m) for n, d, m in items]))
    return out


# --- writing and opening ----------------------------------------------------------------------


def test_round_trip(tmp_path: Path, staging: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    members = [("data/records.json", RECORDS), (JPEG_NAME, JPEG), (PNG_NAME, photo)]
    pkg = tmp_path / f"out{SUFFIX}"
    calls: list[tuple[int, int]] = []
    written = write(pkg, members, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert written.package_id == PACKAGE_ID and written.sequence == 7
    assert written.device_id == IDENTITY.device_id and written.device_name == "测试笔记本 A"
    assert written.public_key == IDENTITY.public_key_b64
    assert [(f.path, f.size, f.sha256) for f in written.files] == [
        (n, len(d), sha(d)) for n, d in FILES
    ]

    with zipfile.ZipFile(pkg) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == ["manifest.json", "manifest.sig", *(n for n, _ in FILES)]
    assert [i.compress_type for i in infos] == [8, 0, 8, 0, 0]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}

    calls.clear()
    opened = open_package(pkg, staging, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert opened.manifest == written
    assert opened.manifest_bytes == written.to_bytes()
    assert json.loads(opened.manifest_bytes)["summary"]["titles"] == ["中试基地 2026"]
    for name, data in FILES:
        assert opened.path_of(name).read_bytes() == data
        assert opened.path_of(name).is_relative_to(staging / "files")
    assert opened.read_json("data/records.json") == json.loads(RECORDS)
    with pytest.raises(KeyError):
        opened.path_of("data/other.json")
    digest = hashlib.sha256(KEY.public_key().public_bytes_raw()).hexdigest()
    assert written.fingerprint == " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    members = [("data/records.json", RECORDS), (PNG_NAME, photo)]
    write(tmp_path / "a.inspkg", members)
    write(tmp_path / "b.inspkg", members)
    write(tmp_path / "c.inspkg", members, summary={"inspections": 2})
    a, b, c = (tmp_path / f"{x}.inspkg" for x in "abc")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_a_fresh_package_id_by_default(tmp_path: Path) -> None:
    one = write(tmp_path / "a.inspkg", package_id=None)
    two = write(tmp_path / "b.inspkg", package_id=None)
    assert one.package_id != two.package_id
    assert all(len(m.package_id) == 36 and m.package_id[14] == "4" for m in (one, two))


def test_device_identity_is_created_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = device_identity(data_dir)
    path = data_dir / "signing" / "device.json"
    assert path.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) == {"format", "device_id", "device_name", "created_at", "private_key"}
    assert first.device_name == (socket.gethostname().strip() or "inspector")[:200]

    again = device_identity(data_dir)
    assert again.device_id == first.device_id
    assert again.public_key_b64 == first.public_key_b64
    raw = again.private_key.private_bytes_raw()
    assert raw == first.private_key.private_bytes_raw()
    assert base64.b64decode(doc["private_key"]) == raw
    assert [p.name for p in path.parent.iterdir()] == ["device.json"]  # no temporary file left

    renamed = device_identity(data_dir, device_name="外业笔记本 3")
    assert renamed.device_name == "外业笔记本 3" and renamed.device_id == first.device_id
    assert device_identity(data_dir).public_key_b64 == first.public_key_b64
    assert device_identity(data_dir).device_name == "外业笔记本 3"
    assert device_identity(tmp_path / "other").device_id != first.device_id


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"format": "inspector-device-identity"}',
        b"\xff\xfe",
        "private_key",  # a valid file whose key is cut short
    ],
)
def test_corrupt_device_identity(tmp_path: Path, content: bytes | str) -> None:
    data_dir = tmp_path / "data"
    device_identity(data_dir)
    path = data_dir / "signing" / "device.json"
    if isinstance(content, str):
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc[content] = doc[content][:20]
        content = json.dumps(doc).encode()
    path.write_bytes(content)
    with pytest.raises(ValueError, match="damaged") as info:
        device_identity(data_dir)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "name",
    [
        "data/../records.json",
        "/data/records.json",
        "data/Records.json",
        "data/records.json\n",
        "data/con.json",
        "records.json",
        "manifest.json",
        "media/abc.jpg",
        f"media/{'A' * 64}.jpg",
        f"media/{'a' * 64}.gif",
    ],
)
def test_write_refuses_bad_member_names(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out" / "a.inspkg"
    with pytest.raises(ValueError, match="not allowed"):
        write(out, [("data/records.json", RECORDS), (name, b"{}")])
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_write_refuses_duplicates(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(ValueError, match="twice"):
        write(tmp_path / "out" / "a.inspkg", [(JPEG_NAME, JPEG), (JPEG_NAME, JPEG)])
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sequence": 0}, "sequence"),
        ({"sequence": True}, "sequence"),
        ({"kind": "Inspections"}, "kind"),
        ({"created_at": "2026-11-27 08:15"}, "created_at"),
        ({"created_at": "2026-13-27T08:15:00Z"}, "created_at"),
        ({"audit_head": "AB" * 32}, "audit_head"),
        ({"package_id": "6b1d2c3e-4f5a-1b6c-8d7e-9f0a1b2c3d4e"}, "package_id"),  # a uuid1
        ({"schema_version": "x" * 65}, "schema_version"),
        ({"summary": {"x": "y" * 70_000}}, "summary"),
        ({"summary": {"x": float("nan")}}, "JSON"),
    ],
)
def test_write_refuses_bad_metadata(tmp_path: Path, change: dict, field: str) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(ValueError, match=field):
        write(tmp_path / "out" / "a.inspkg", **change)
    assert list((tmp_path / "out").iterdir()) == []


def test_write_refuses_a_file_that_changes_while_written(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(JPEG)

    def edit_the_photo(done: int, total: int) -> None:
        photo.write_bytes(JPEG[:-1] + b"!")  # same size, other content

    out = tmp_path / "out" / "a.inspkg"
    with pytest.raises(ValueError, match="changed while the package was being written"):
        write(out, [("data/records.json", RECORDS), (JPEG_NAME, photo)], progress=edit_the_photo)
    assert list(out.parent.iterdir()) == []


def test_cancelling_the_write_leaves_nothing(tmp_path: Path) -> None:
    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        raise Cancelled

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.inspkg").write_bytes(b"the previous package")
    with pytest.raises(Cancelled):
        write(tmp_path / "out" / "a.inspkg", progress=cancel)
    assert tree(tmp_path / "out") == {"a.inspkg"}
    assert (tmp_path / "out" / "a.inspkg").read_bytes() == b"the previous package"


def test_json_that_compresses_too_well_is_stored(tmp_path: Path, staging: Path) -> None:
    """Deflated, 2 MiB of repetitive JSON would exceed the reader's 100:1 limit."""
    big = json.dumps([{"status": "ok", "note": ""}] * 80_000).encode()
    assert len(big) > 2 * MiB and len(big) > 100 * len(deflate(big))
    pkg = tmp_path / "a.inspkg"
    write(pkg, [("data/records.json", big), ("data/small.json", b"[1, 2, 3]")])
    types = {n: m for n, _, m in members_of(pkg)}
    assert types["data/records.json"] == zipfile.ZIP_STORED
    assert types["data/small.json"] == zipfile.ZIP_DEFLATED
    assert open_package(pkg, staging).read_json("data/records.json")[0] == {
        "status": "ok",
        "note": "",
    }


def test_member_re() -> None:
    assert MEMBER_RE.match("data/records.json") and MEMBER_RE.match(JPEG_NAME)
    assert MEMBER_RE.match(PNG_NAME)
    for bad in ["data/records.json/x", "data/nul.json", "data/a.json\n", "xdata/a.json"]:
        assert not MEMBER_RE.match(bad), bad


# --- tampering (RELIABILITY B6) ---------------------------------------------------------------

MEMBERS = ["manifest.json", "manifest.sig", *(n for n, _ in FILES)]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    pkg = tmp_path / "good.inspkg"
    write(pkg)
    return pkg


def _alter(name: str, data: bytes) -> bytes:
    if name == "manifest.json":  # one hex digit of a hash: still JSON, so the signature decides
        digest = sha(RECORDS)
        changed = digest[:10] + ("0" if digest[10] != "0" else "1") + digest[11:]
        return data.replace(digest.encode(), changed.encode(), 1)
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


SIGNATURE_INVALID = "signature is not valid"


@pytest.mark.parametrize("member", MEMBERS)
def test_altering_any_member_is_rejected(good: Path, staging: Path, member: str) -> None:
    items = [(n, _alter(n, d) if n == member else d, m) for n, d, m in members_of(good)]
    assert items != members_of(good)
    pkg = rebuild(good, good.with_name("altered.inspkg"), items)
    want = SIGNATURE_INVALID if member.startswith("manifest") else "SHA-256 does not match"
    error = rejected(pkg, staging, want)
    assert error.member == ("manifest.sig" if member.startswith("manifest") else member)


@pytest.mark.parametrize("member", MEMBERS)
def test_removing_any_member_is_rejected(good: Path, staging: Path, member: str) -> None:
    items = [item for item in members_of(good) if item[0] != member]
    pkg = rebuild(good, good.with_name("removed.inspkg"), items)
    if member.startswith("manifest"):
        want = f"has no {member}"
    else:
        want = "listed in the manifest but missing"
    assert rejected(pkg, staging, want).member == member


@pytest.mark.parametrize("extra", ["data/extra.json", media(b"another photo")])
def test_adding_an_unlisted_member_is_rejected(good: Path, staging: Path, extra: str) -> None:
    items = [*members_of(good), (extra, b"{}", 0)]
    pkg = rebuild(good, good.with_name("added.inspkg"), items)
    assert rejected(pkg, staging, "in the package but not in the manifest").member == extra


def test_the_untouched_rebuild_opens(good: Path, staging: Path) -> None:
    """The rebuilding used by the tampering tests does not itself break a package."""
    pkg = rebuild(good, good.with_name("same.inspkg"), members_of(good))
    assert open_package(pkg, staging).manifest == read_manifest(good)


def test_resigned_with_another_key_is_accepted(tmp_path: Path, staging: Path) -> None:
    """The signature proves integrity, not identity: the same content re-signed with another key
    (and naming it) opens. Pinning a device to its key is the importer's job."""
    original = read_manifest(package(tmp_path / "original.inspkg"))
    entries = signed(manifest_doc(FILES, OTHER_KEY), OTHER_KEY) + [Entry(n, d) for n, d in FILES]
    (pkg := tmp_path / "resigned.inspkg").write_bytes(build_zip(entries))
    opened = open_package(pkg, staging)
    assert opened.manifest.device_id == original.device_id
    assert opened.manifest.files == original.files
    assert opened.manifest.fingerprint != original.fingerprint


def test_signed_with_a_key_other_than_the_one_named_is_rejected(
    tmp_path: Path, staging: Path
) -> None:
    entries = signed(manifest_doc(FILES, KEY), OTHER_KEY) + [Entry(n, d) for n, d in FILES]
    (pkg := tmp_path / "a.inspkg").write_bytes(build_zip(entries))
    rejected(pkg, staging, SIGNATURE_INVALID)


def test_signature_of_the_wrong_length(tmp_path: Path, staging: Path) -> None:
    data = encode(manifest_doc(FILES))
    entries = [Entry("manifest.json", data), Entry("manifest.sig", KEY.sign(data)[:63])]
    pkg = tmp_path / "a.inspkg"
    pkg.write_bytes(build_zip(entries + [Entry(n, d) for n, d in FILES]))
    rejected(pkg, staging, "exactly 64 bytes")


# --- the manifest, validated strictly ---------------------------------------------------------


def _doc(**change: Any) -> dict:
    doc = manifest_doc(FILES)
    for key, value in change.items():
        if value is KeyError:
            del doc[key]
        else:
            doc[key] = value
    return doc


def _files(index: int, **change: Any) -> list[dict]:
    files = manifest_doc(FILES)["files"]
    files[index] = {**files[index], **change}
    return files


@pytest.mark.parametrize(
    ("doc", "want"),
    [
        (
            _doc(format_version=FORMAT_VERSION + 1),
            rf"made by a newer Inspector \(format {FORMAT_VERSION + 1}\); update this app",
        ),
        (
            _doc(format="zip-of-things"),
            r"not an Inspector package \(its manifest declares the format zip-of-things\)",
        ),
        (_doc(format=KeyError), "lacks the field format"),
        (_doc(format=1), "field format is not valid"),
        (_doc(format_version=True), "field format_version is not valid"),
        (_doc(format_version=0), "field format_version is not valid"),
        (_doc(extra=1), "unknown field extra"),
        (_doc(kind=KeyError), "lacks the field kind"),
        (_doc(public_key=KeyError), "lacks the field public_key"),
        (_doc(public_key="AAAA"), "field public_key is not valid"),
        (_doc(sequence=True), "field sequence is not valid"),
        (_doc(sequence=1.0), "field sequence is not valid"),
        (_doc(sequence=2**63), "field sequence is not valid"),
        (_doc(device_id=IDENTITY.device_id.upper()), "field device_id is not valid"),
        (_doc(device_name="x" * 201), "field device_name is not valid"),
        (_doc(created_at="2026-11-27T08:15:00+08:00"), "field created_at is not valid"),
        (_doc(created_at="２０２６-11-27T08:15:00Z"), "field created_at is not valid"),
        (_doc(audit_head=""), "field audit_head is not valid"),
        (_doc(summary=[1]), "field summary is not valid"),
        (_doc(summary={"t": "x" * 70_000}), "summary is larger than the limit"),
        (_doc(files={}), "field files is not valid"),
        (_doc(files=_files(0, size=-1)), r"field files\[0\].size is not valid"),
        (_doc(files=_files(1, size=False)), r"field files\[1\].size is not valid"),
        (_doc(files=_files(1, sha256=sha(JPEG).upper())), r"files\[1\].sha256 is not valid"),
        (_doc(files=_files(2, path="media/../x.png")), r"files\[2\].path is not valid"),
        (_doc(files=_files(2, extra=1)), r"field files\[2\] is not valid"),
        (_doc(files=[*manifest_doc(FILES)["files"], manifest_doc(FILES)["files"][0]]), "lists"),
        (_doc(files=_files(0, size=300 * MiB)), "larger than the limit"),
        ([manifest_doc(FILES)], "not a JSON object"),
    ],
)
def test_invalid_manifests_are_rejected(tmp_path: Path, staging: Path, doc: Any, want: str) -> None:
    pkg = package(tmp_path / "a.inspkg", doc=doc)
    rejected(pkg, staging, want)


def test_the_manifest_test_baseline_opens(tmp_path: Path, staging: Path) -> None:
    assert open_package(package(tmp_path / "a.inspkg", doc=_doc()), staging).manifest.sequence == 3


def test_a_manifest_of_format_1_opens(tmp_path: Path, staging: Path) -> None:
    """Format 2 changed the records only (sync/wire.py); the apps before wrote format 1."""
    doc = _doc(format_version=1)
    opened = open_package(package(tmp_path / "a.inspkg", doc=doc), staging)
    assert opened.manifest.format_version == 1
    assert opened.manifest.to_bytes() == opened.manifest_bytes


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        (encode(manifest_doc(FILES))[:-1] + b',"sequence":4}', "key sequence appears twice"),
        (encode(manifest_doc(FILES)).replace(b'"sequence":3', b'"sequence":NaN'), "NaN"),
        (encode(manifest_doc(FILES)).replace(b'"sequence":3', b'"sequence":-Infinity'), "NaN"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (encode(manifest_doc(FILES))[:-1], "not valid JSON"),
        (b"\xef\xbb\xbf" + encode(manifest_doc(FILES)), "not valid JSON"),
        (encode(manifest_doc(FILES)).replace(b"\xe6\xb5\x8b", b"\xe6\xb5"), "not valid Unicode"),
        (
            encode(_doc(device_name="\\ud800")).replace(b"\\\\ud800", b"\\ud800"),
            "not valid Unicode",
        ),
        (b'{"public_key":"' + b"1" * 5000 + b'"}', "field public_key is not valid"),
    ],
)
def test_manifest_json_is_parsed_strictly(
    tmp_path: Path, staging: Path, raw: bytes, want: str
) -> None:
    pkg = tmp_path / "a.inspkg"
    pkg.write_bytes(build_zip(signed(raw) + [Entry(n, d) for n, d in FILES]))
    rejected(pkg, staging, want)


def test_manifest_size_is_capped_while_read(tmp_path: Path, staging: Path) -> None:
    pkg = package(tmp_path / "a.inspkg", doc=_doc(summary={"t": "x" * 5000}))
    rejected(
        pkg,
        staging,
        "manifest.json: it is larger than the limit of 4000 bytes",
        Limits(max_manifest_bytes=4000),
    )


# --- hostile zips (RELIABILITY C11, C12) ------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "want"),
    [
        (Entry("/etc/x", b"x"), "absolute paths"),
        (Entry("../x", b"x"), "'..' segments"),
        (Entry("data/../../x.json", b"x"), "'..' segments"),
        (Entry("data\\x.json", b"x"), "backslashes"),
        (Entry("C:x", b"x"), "drive letters"),
        (Entry("c:\\windows\\x", b"x"), "drive letters"),
        (Entry("", b"x"), "empty name"),
        (Entry("data/", b""), "folders are not allowed"),
        (Entry("data/x.json", b"", mode=stat.S_IFDIR | 0o755), "folders are not allowed"),
        (Entry("data/link.json", b"/etc/passwd", mode=stat.S_IFLNK | 0o777), "symbolic links"),
        (Entry("data/records.json", RECORDS), "appears more than once"),
        (Entry("notes.txt", b"x"), "not allowed in an Inspector package"),
        (Entry("data/x.json\x00.exe", b"x"), "not allowed in an Inspector package"),
        (Entry("data/x.json", b"{}", flags=0x1), "encrypted entries"),
        (Entry("data/x.json", b"{}", method=12, raw=b"BZh9"), "compression method 12"),
        (Entry("data/x.json", b"{}", raw=b"{}!"), "could not be read"),  # stored, sizes differ
    ],
    ids=lambda v: repr(v.name)[:30] if isinstance(v, Entry) else None,
)
def test_hostile_entries_are_rejected(tmp_path: Path, entry: Entry, want: str) -> None:
    files = list(FILES)
    if entry.name in ("data/link.json", "data/x.json"):
        files.append((entry.name, entry.content))  # listed: only the hostile trait is wrong
    entries = signed(manifest_doc(files)) + [Entry(n, d) for n, d in FILES] + [entry]
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "staging").mkdir()
    pkg = folder / "hostile.inspkg"
    pkg.write_bytes(build_zip(entries))
    before = tree(tmp_path)
    rejected(pkg, folder / "staging", want)
    assert tree(tmp_path) == before  # nothing written anywhere


def test_too_many_members(tmp_path: Path, staging: Path) -> None:
    pkg = package(tmp_path / "a.inspkg")  # 5 entries
    rejected(pkg, staging, "more than 4 entries", Limits(max_members=4))
    assert open_package(pkg, staging, limits=Limits(max_members=5)).manifest


def test_an_end_record_that_understates_the_count(tmp_path: Path, staging: Path) -> None:
    """The count in the end record is only a first filter: zipfile reads the directory itself."""
    files = FILES[:2]
    entries = signed(manifest_doc(files)) + [Entry(n, d) for n, d in files]
    entries.append(Entry("data/extra.json", b"{}"))
    pkg = tmp_path / "a.inspkg"
    pkg.write_bytes(build_zip(entries, count=2))
    assert len(zipfile.ZipFile(pkg).infolist()) == 5
    rejected(pkg, staging, "more than 4 entries", Limits(max_members=4))


def test_a_member_shorter_than_listed(tmp_path: Path, staging: Path) -> None:
    doc = manifest_doc(FILES)
    doc["files"][0]["size"] += 10  # the hash is right, the size is not
    pkg = package(tmp_path / "a.inspkg", doc=doc)
    n = len(RECORDS)
    error = rejected(
        pkg,
        staging,
        rf"data/records.json: its size \({n} bytes\) does not match the manifest \({n + 10} bytes\)",
    )
    assert error.member == "data/records.json"


def test_the_end_record_is_checked_before_zipfile_reads_the_directory(
    tmp_path: Path, staging: Path
) -> None:
    """zipfile reads the whole directory into memory: its claimed size and count come first."""
    entries = signed(manifest_doc(FILES)) + [Entry(n, d) for n, d in FILES]
    pkg = tmp_path / "a.inspkg"
    pkg.write_bytes(build_zip(entries, count=60_000))  # the directory really has 5 entries
    rejected(pkg, staging, "more than 50000 entries")

    entries[0].extra = bytes(60_000)  # a valid but huge extra field on manifest.json
    pkg.write_bytes(build_zip(entries))
    assert open_package(pkg, staging).manifest  # within the default budget
    shutil.rmtree(staging / "files")
    rejected(pkg, staging, "table of contents is too large", Limits(max_members=10))


def test_declared_sizes_are_capped(tmp_path: Path, staging: Path) -> None:
    pkg = package(tmp_path / "a.inspkg")
    error = rejected(
        pkg,
        staging,
        f"{JPEG_NAME[:14]}…{JPEG_NAME[-8:]}: it is larger than the limit of 10000 bytes",
        Limits(max_member_bytes=10_000),
    )
    assert error.member == JPEG_NAME
    rejected(pkg, staging, "add up to more than the limit of 20000", Limits(max_total_bytes=20_000))
    rejected(pkg, staging, "too large for an Inspector package", Limits(max_package_bytes=1000))


@cache
def zeros_bomb() -> tuple[bytes, bytes]:
    zeros = bytes(50 * MiB)
    return deflate(zeros), sha(zeros).encode()


def test_zeros_bomb(tmp_path: Path, staging: Path) -> None:
    compressed, digest = zeros_bomb()
    name = "data/bomb.json"
    doc = manifest_doc(FILES)
    doc["files"].append({"path": name, "size": 50 * MiB, "sha256": digest.decode()})
    bomb = Entry(name, b"", zipfile.ZIP_DEFLATED, raw=compressed, size=50 * MiB, crc=0)
    pkg = tmp_path / "bomb.inspkg"
    pkg.write_bytes(build_zip(signed(doc) + [Entry(n, d) for n, d in FILES] + [bomb]))
    assert os.path.getsize(pkg) < 100_000
    start = time.perf_counter()
    error = rejected(
        pkg, staging, r"data/bomb.json: its compression ratio exceeds 100:1", Limits(max_ratio=100)
    )
    assert time.perf_counter() - start < 1.0
    assert error.member == name


def _zeros_then_garbage(n: int) -> bytes:
    """A deflate stream of n zero bytes followed by bytes zlib refuses ("invalid block type"):
    a reader that goes past the first n bytes fails with zlib.error, one that stops does not."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(bytes(n)) + compressor.flush(zlib.Z_FULL_FLUSH) + b"\xff" * 64


def _lying_package(path: Path, *, declared: int, listed: int, crc: int) -> Path:
    name = "data/lie.json"
    doc = manifest_doc(FILES)
    doc["files"].append({"path": name, "size": listed, "sha256": sha(bytes(listed))})
    lie = Entry(
        name, b"", zipfile.ZIP_DEFLATED, raw=_zeros_then_garbage(8 * MiB), size=declared, crc=crc
    )
    path.write_bytes(build_zip(signed(doc) + [Entry(n, d) for n, d in FILES] + [lie]))
    return path


def test_a_header_understating_the_size_is_read_no_further(tmp_path: Path, staging: Path) -> None:
    """The directory (and local header) claim 1000 bytes; 8 MiB are really there."""
    limits = Limits(max_member_bytes=MiB, max_ratio=10**6)
    pkg = _lying_package(tmp_path / "a.inspkg", declared=1000, listed=1000, crc=12345)
    error = rejected(pkg, staging, "data/lie.json: it could not be read", limits)
    assert error.member == "data/lie.json"
    assert isinstance(error.__cause__, zipfile.BadZipFile)  # the CRC check, not zlib's garbage
    assert "CRC" in str(error.__cause__)

    # With a CRC that fits the first 1000 bytes nothing is wrong with what is staged: exactly the
    # signed 1000 bytes, and not one more.
    pkg = _lying_package(
        tmp_path / "b.inspkg", declared=1000, listed=1000, crc=zlib.crc32(bytes(1000))
    )
    opened = open_package(pkg, staging, limits=limits)
    assert opened.path_of("data/lie.json").read_bytes() == bytes(1000)


def test_more_data_than_the_manifest_states_stops_at_once(tmp_path: Path, staging: Path) -> None:
    """The zip claims 16 MiB (8 MiB and then garbage really); the signed manifest says 1000:
    extraction stops in the first chunk, long before the garbage."""
    limits = Limits(max_ratio=10**6)
    pkg = _lying_package(tmp_path / "a.inspkg", declared=16 * MiB, listed=1000, crc=0)
    start = time.perf_counter()
    error = rejected(
        pkg,
        staging,
        r"data/lie.json: it contains more data than the manifest states \(1000 bytes\)",
        limits,
    )
    assert time.perf_counter() - start < 1.0
    assert error.__cause__ is None


def test_overlapping_entries(tmp_path: Path, staging: Path) -> None:
    """The "quoted overlap": one entry's stored data contains another entry's local header, and
    the directory points at it. This Python's zipfile (3.11.7) reads both without complaint."""
    inner = Entry("data/records.json", RECORDS)
    carrier_data = inner.local_header() + RECORDS
    carrier = Entry(media(carrier_data), carrier_data)
    quoted = Entry("data/records.json", RECORDS, at=LOCAL.size + len(carrier.name))
    files = [(carrier.name, carrier_data), ("data/records.json", RECORDS)]
    pkg = tmp_path / "overlap.inspkg"
    pkg.write_bytes(build_zip([carrier, quoted, *signed(manifest_doc(files))]))
    with zipfile.ZipFile(pkg) as zf:
        assert zf.read("data/records.json") == RECORDS
    error = rejected(pkg, staging, "data/records.json: it overlaps another entry")
    assert error.member == "data/records.json"


def test_an_entry_running_into_the_directory(tmp_path: Path, staging: Path) -> None:
    entries = signed(manifest_doc(FILES)) + [Entry(n, d) for n, d in FILES]
    data = bytearray(build_zip(entries))
    end = data.rindex(b"PK\x05\x06")
    last = data.rindex(b"PK\x01\x02", 0, end)  # the PNG's directory entry: compress_size += 100
    for at in (last + 20, last + 24):  # compressed and declared size, a stored entry
        struct.pack_into("<L", data, at, struct.unpack_from("<L", data, at)[0] + 100)
    (pkg := tmp_path / "a.inspkg").write_bytes(bytes(data))
    rejected(pkg, staging, "overlaps another entry")


def test_a_late_failure_removes_what_was_staged(tmp_path: Path, staging: Path) -> None:
    files = [*FILES[:2], (PNG_NAME, PNG[:-1] + b"?")]
    doc = manifest_doc(FILES)  # lists the real PNG's hash
    pkg = tmp_path / "a.inspkg"
    pkg.write_bytes(build_zip(signed(doc) + [Entry(n, d) for n, d in files]))
    calls: list[tuple[int, int]] = []
    with pytest.raises(PackageRejected, match="SHA-256 does not match"):
        open_package(pkg, staging, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3)]  # two members had been staged
    assert list(staging.iterdir()) == []


def test_a_cancelled_open_removes_what_was_staged(good: Path, staging: Path) -> None:
    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        if done == 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        open_package(good, staging, progress=cancel)
    assert list(staging.iterdir()) == []


@pytest.mark.parametrize("content", [b"", b"PK\x05\x06" + bytes(18), b"plain text", None])
def test_not_a_package(tmp_path: Path, staging: Path, content: bytes | None) -> None:
    pkg = tmp_path / "x.inspkg"
    if content is None:
        pkg.mkdir()
        rejected(pkg, staging, "does not exist or is not a regular file")
    else:
        pkg.write_bytes(content)
        want = "has no manifest.json" if content.startswith(b"PK") else "not an Inspector package"
        rejected(pkg, staging, want)
    rejected(tmp_path / "missing.inspkg", staging, "does not exist")


def test_staging_must_be_empty(good: Path, staging: Path) -> None:
    (staging / "mine.txt").write_text("x")
    with pytest.raises(ValueError, match="empty"):
        open_package(good, staging)
    assert tree(staging) == {"mine.txt"}


# --- data members: strict JSON (RELIABILITY C13) ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "want"),
    [
        (b'{"a": NaN}', "NaN and Infinity"),
        (b'{"a": Infinity}', "NaN and Infinity"),
        (b'{"a": 1, "a": 2}', "key a appears twice"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        (b'["\\udc00"]', "not valid Unicode"),
        (b"\xff", "not valid Unicode"),
        (b'{"a": 1', "not valid JSON"),
        (b"1" * 5000, "not valid JSON"),  # beyond CPython's integer digit limit
        (b"[1] [2]", "not valid JSON"),
    ],
)
def test_read_json_is_strict(tmp_path: Path, staging: Path, data: bytes, want: str) -> None:
    pkg = tmp_path / "a.inspkg"
    write(pkg, [("data/records.json", data)])
    opened = open_package(pkg, staging)
    with pytest.raises(PackageRejected, match=f"data/records.json: .*{want}") as info:
        opened.read_json("data/records.json")
    assert info.value.member == "data/records.json"


def test_read_json_accepts_proper_escapes_and_caps_the_size(tmp_path: Path) -> None:
    pkg = tmp_path / "a.inspkg"
    write(pkg, [("data/records.json", b'{"emoji": "\\ud83d\\ude00", "n": [1.5, -0.0]}')])
    opened = open_package(pkg, tmp_path / "s1")
    assert opened.read_json("data/records.json") == {"emoji": "😀", "n": [1.5, -0.0]}
    small = open_package(pkg, tmp_path / "s2", limits=Limits(max_json_bytes=20))
    with pytest.raises(
        PackageRejected, match=r"data/records\.json: it is larger than the limit of 20 bytes"
    ):
        small.read_json("data/records.json")


# --- read_manifest ----------------------------------------------------------------------------


def test_read_manifest_reads_no_member(tmp_path: Path) -> None:
    good = tmp_path / "good.inspkg"
    written = write(good)
    assert read_manifest(good) == written
    # A damaged photo: the preview still works (it reads no member), the full open does not.
    items = [(n, _alter(n, d) if n == JPEG_NAME else d, m) for n, d, m in members_of(good)]
    damaged = rebuild(good, tmp_path / "damaged.inspkg", items)
    before = tree(tmp_path)
    assert read_manifest(damaged) == written
    assert tree(tmp_path) == before
    (tmp_path / "staging").mkdir()
    rejected(damaged, tmp_path / "staging", "SHA-256 does not match")
    # but the signature and the directory are checked
    items = [(n, _alter(n, d) if n == "manifest.json" else d, m) for n, d, m in members_of(good)]
    with pytest.raises(PackageRejected, match=SIGNATURE_INVALID):
        read_manifest(rebuild(good, tmp_path / "forged.inspkg", items))
    with pytest.raises(PackageRejected, match="not in the manifest"):
        read_manifest(
            rebuild(good, tmp_path / "extra.inspkg", [*members_of(good), ("data/x.json", b"1", 0)])
        )


# --- fuzzing ----------------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, derandomize=True)

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["", "data/records.json", JPEG_NAME, sha(JPEG), CREATED, "\ud800"])
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = sorted(manifest_doc(FILES))


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws (0, which Hypothesis favours, means no)."""
    return draw(st.integers(0, one_in - 1)) == one_in - 1


@st.composite
def hostile_packages(draw: st.DrawFn) -> bytes:
    """A signed package, usually valid, with a few things changed: manifest fields replaced or
    deleted, file entries altered, an unknown key, a whole other JSON value or arbitrary bytes as
    the manifest, another signing key, members missing, altered or added, bytes of the zip
    overwritten. A fair share of them are still valid and open."""
    files = [(n, d) for n, d in FILES if not rarely(draw, 4) or n == "data/records.json"]
    doc: Any = manifest_doc(files)
    if rarely(draw, 2):
        for key in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
            if rarely(draw, 3):
                del doc[key]
            else:
                doc[key] = draw(json_values)
    listed = doc.get("files")
    if rarely(draw, 4) and isinstance(listed, list) and listed:
        entry = listed[draw(st.integers(0, len(listed) - 1))]
        if isinstance(entry, dict):
            key = draw(st.sampled_from(["path", "size", "sha256", "other"]))
            entry[key] = draw(json_values | st.integers(-2, 5000))
    if rarely(draw, 6):
        doc[draw(st.text(max_size=6))] = draw(json_values)
    if rarely(draw, 10):
        doc = draw(json_values)
    raw = json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if rarely(draw, 12):
        raw = draw(st.binary(max_size=300))
    entries = signed(raw, OTHER_KEY if rarely(draw, 8) else KEY)
    for name, data in FILES:
        if not rarely(draw, 10):
            if rarely(draw, 6):
                data = draw(st.binary(max_size=50))
            entries.append(Entry(name, data, draw(st.sampled_from([0, 8]))))
    if rarely(draw, 8):
        entries.append(Entry(draw(st.sampled_from(["data/x.json", "../x", "x"])), b"{}"))
    blob = build_zip(draw(st.permutations(entries)))
    if rarely(draw, 5):  # overwrite a few bytes of the zip itself
        damaged = bytearray(blob)
        for _ in range(draw(st.integers(1, 4))):
            damaged[draw(st.integers(0, len(blob) - 1))] = draw(st.integers(0, 255))
        blob = bytes(damaged)
    return blob


def _open_untrusted(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pkg, staging = Path(tmp) / "fuzz.inspkg", Path(tmp) / "staging"
        pkg.write_bytes(blob)
        staging.mkdir()
        try:
            opened = open_package(pkg, staging, limits=Limits(max_members=20))
        except PackageRejected as exc:
            assert str(exc)
            assert list(staging.iterdir()) == []
        else:
            for entry in opened.manifest.files:
                assert opened.path_of(entry.path).stat().st_size == entry.size
            opened.manifest.to_bytes()


@FUZZ
@given(hostile_packages())
def test_fuzzed_packages_are_rejected_or_opened(blob: bytes) -> None:
    _open_untrusted(blob)


@FUZZ
@given(st.binary(max_size=3000))
def test_fuzzed_bytes_are_rejected(blob: bytes) -> None:
    _open_untrusted(blob)
