"""What inspections are made against: the sites registered and the checklist template
versions pinned in the data folder.

Pure values: the store reads and writes them (``store/repo/sites.py``, ``templates.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from inspector_app.domain.ids import new_id as _new_id
from inspector_app.domain.ids import utcnow as _now


@dataclass(frozen=True)
class TemplateVersion:
    """A checklist template version, pinned by the SHA-256 of its canonical JSON."""

    template_id: str
    version: str
    content_hash: str
    title_zh: str
    title_en: str
    site_type: str
    sample_weights: bool
    canonical_json: str
    source_file: str | None = None
    id: str = field(default_factory=_new_id)
    loaded_at: dt.datetime = field(default_factory=_now)


@dataclass(frozen=True)
class Site:
    """A site under evaluation: a pilot base (中试基地), an agency (技术转移服务机构) or a
    platform."""

    code: str
    name: str
    site_type: str
    name_en: str | None = None
    district: str | None = None
    host_unit: str | None = None  # 依托单位
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    is_sample: bool = False  # 示例: demo data, not a real registered site
    id: str = field(default_factory=_new_id)
    created_at: dt.datetime = field(default_factory=_now)
    updated_at: dt.datetime = field(default_factory=_now)
    revision: int = 1
    base_revision: int = 0
