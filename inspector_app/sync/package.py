"""Inspector packages (``.inspkg``): the signed container that carries inspections between
laptops and headquarters on a USB stick (RELIABILITY B6, C11-C13).

Layout: a zip file (``container``) holding, in this order,

- ``manifest.json`` and ``manifest.sig``: what the package holds, and the device's signature
  over it (``manifest``; the device's key is ``identity``);
- the data members: ``data/<name>.json`` (deflated) and ``media/<sha256>.jpg|png`` (stored:
  photos are compressed already).

Writing (``write_package``) is atomic and deterministic (same inputs, same bytes), and checks
its manifest with the reader's own validator, so it cannot produce a package the reader
refuses. Reading (``read_manifest`` for a preview, ``open_package`` to use it) treats the file
as hostile (``container``). Any problem raises ``PackageRejected`` with a translated reason,
and whatever was written into the staging folder is removed. Errors writing the staging folder
itself (a full disk) are not the package's fault: they propagate as ``OSError`` after the same
clean-up. An exception raised by the ``progress`` callback (for example to cancel) is handled
the same way.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.sync import container, container_write
from inspector_app.sync.identity import DeviceIdentity
from inspector_app.sync.manifest import Manifest, manifest_bytes
from inspector_app.sync.strict import Limits, strict_json

SUFFIX = ".inspkg"


@dataclass
class OpenedPackage:
    manifest: Manifest
    manifest_bytes: bytes
    staging: Path
    limits: Limits = field(default_factory=Limits)
    _listed: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._listed = frozenset(f.path for f in self.manifest.files)

    def path_of(self, member: str) -> Path:
        """The staged file of a member listed in the manifest (KeyError otherwise)."""
        if member not in self._listed:
            raise KeyError(member)
        return self.staging.joinpath("files", *member.split("/"))

    def read_json(self, member: str) -> Any:
        """The member parsed as strict JSON (RELIABILITY C13), or PackageRejected."""
        cap = self.limits.max_json_bytes
        with self.path_of(member).open("rb") as fh:
            data = fh.read(cap + 1)
        return strict_json(data, member, cap)


def write_package(
    out: Path,
    identity: DeviceIdentity,
    *,
    kind: str,
    sequence: int,
    schema_version: str,
    app_version: str,
    created_at: str,
    summary: dict[str, Any],
    audit_head: str | None,
    members: Sequence[tuple[str, bytes | Path]],
    package_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Manifest:
    """Write the package atomically (temporary file in out's folder, fsync, os.replace, fsync the
    folder: the file appears whole or not at all). Member names must match MEMBER_RE, no
    duplicates (ValueError). Order in the zip: manifest.json, manifest.sig, then members as given.
    JSON members ZIP_DEFLATED (ZIP_STORED if they compress beyond the reader's ratio limit), media
    ZIP_STORED. Fixed zip timestamps (1980-01-01) so the bytes depend on content only. A Path
    member is streamed (never held in memory), hashed while copied. progress(done, total) after
    each member. Returns the manifest written. Invalid metadata or a package the reader would
    refuse (sizes, counts) raise ValueError before anything is written."""
    out = Path(out)
    out = Path(out)
    limits = Limits()
    sources = container_write.checked_members(members)
    entries, methods = container_write.measure_members(sources, limits)
    data, manifest = manifest_bytes(
        device_id=identity.device_id,
        device_name=identity.device_name,
        public_key=identity.public_key_b64,
        package_id=package_id,
        kind=kind,
        sequence=sequence,
        schema_version=schema_version,
        app_version=app_version,
        created_at=created_at,
        summary=summary,
        audit_head=audit_head,
        files=entries,
        limits=limits,
    )
    signature = identity.private_key.sign(data)
    container_write.write_zip(out, data, signature, sources, entries, methods, limits, progress)
    return manifest


def read_manifest(path: Path, *, limits: Limits | None = None) -> Manifest:
    """Signature-checked manifest only (for a quick preview before a full open): all container
    checks on the zip's directory, manifest size cap, signature verified, manifest validated,
    listing compared with the directory. No member is extracted or read."""
    with container.verified(Path(path), limits or Limits()) as (_zf, _infos, _data, manifest):
        return manifest


def open_package(
    path: Path,
    staging: Path,
    *,
    limits: Limits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> OpenedPackage:
    """Check the package and stage its members under ``staging/"files"``.

    staging: an empty private folder the caller owns (it creates and removes it; a missing one is
    created). A folder that is not empty is a programming error (ValueError). Raises
    PackageRejected for anything wrong with the package, leaving staging as it was."""
    limits = limits or Limits()
    path, staging = Path(path), Path(staging)
    if staging.exists():
        if not staging.is_dir() or any(staging.iterdir()):
            raise ValueError(f"the staging folder must be an empty folder: {staging}")
    else:
        staging.mkdir(mode=0o700, parents=True)
    files_dir = staging / "files"
    with container.verified(path, limits) as (zf, infos, manifest_bytes, manifest):
        files_dir.mkdir(mode=0o700)
        try:
            container.extract(zf, infos, manifest, files_dir, progress)
        except BaseException:
            shutil.rmtree(files_dir, ignore_errors=True)
            raise
    return OpenedPackage(manifest, manifest_bytes, staging, limits)
