"""What inspections are made against: the sites registered and the checklist template
versions pinned in the data folder.

Pure values: the store reads and writes them (``store/repo/sites.py``, ``templates.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _new_id() -> str:
    return str(uuid.uuid4())


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
