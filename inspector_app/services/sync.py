"""Packages: carry inspections between laptops and headquarters on a file (docs/sync.md).

    export_package(ws, Path("E:/2024-06 PB-02.inspkg"))
    preview = preview_import(ws, path)          # signature-checked manifest, nothing written
    result = import_package(ws, path)

The use cases, one module each: ``package_export`` (the inspections, the visits they follow,
every site, the template versions in use and each photo's original, into one signed package,
atomically), ``package_import`` (the whole package checked in a private staging folder, then
every record in one transaction: all of it or, with a message that names the reason, none of
it; the same package again changes nothing) and ``package_conflicts`` (the incoming versions
an import kept beside local ones, and a person's decision on each). This module names them
for the command line, the desktop and ``services.conflicts``.
"""

from __future__ import annotations

from inspector_app.services.package_conflicts import (
    find_conflict,
    list_conflicts,
    resolve_conflict,
)
from inspector_app.services.package_export import (
    SUFFIX,
    ExportResult,
    Progress,
    export_package,
    readable_name,
)
from inspector_app.services.package_import import (
    ImportPreview,
    ImportResult,
    PackageRejected,
    import_package,
    preview_import,
)

__all__ = [
    "SUFFIX",
    "ExportResult",
    "ImportPreview",
    "ImportResult",
    "PackageRejected",
    "Progress",
    "export_package",
    "find_conflict",
    "import_package",
    "list_conflicts",
    "preview_import",
    "readable_name",
    "resolve_conflict",
]
