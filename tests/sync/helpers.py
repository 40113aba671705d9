"""Packages as a buggy or hostile exporter could make them: real files, validly signed."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector_app.sync import records
from inspector_app.sync.package import device_identity, open_package, read_manifest, write_package


def rehash(doc: dict[str, Any]) -> None:
    """Recompute every inspection's content hash, as an exporter does."""
    for bundle in doc["inspections"]:
        bundle["content_hash"] = records.bundle_hash(bundle)


def repack(src: Path, out: Path, data_dir: Path, edit: Callable[[dict[str, Any]], Any]) -> Path:
    """The package ``src`` with ``edit`` applied to its records (then rehashed), signed by
    ``data_dir``'s device key."""
    manifest = read_manifest(src)
    with tempfile.TemporaryDirectory() as tmp:
        opened = open_package(src, Path(tmp))
        doc = opened.read_json(records.RECORDS_MEMBER)
        edit(doc)
        rehash(doc)
        members: list[tuple[str, bytes | Path]] = [
            (records.RECORDS_MEMBER, json.dumps(doc, ensure_ascii=False).encode())
        ]
        for f in manifest.files:
            if f.path != records.RECORDS_MEMBER:
                members.append((f.path, opened.path_of(f.path).read_bytes()))
        write_package(
            out,
            device_identity(data_dir),
            kind="inspections",
            sequence=manifest.sequence,
            schema_version=manifest.schema_version,
            app_version=manifest.app_version,
            created_at=manifest.created_at,
            summary=manifest.summary,
            audit_head=None,
            members=members,
        )
    return out
