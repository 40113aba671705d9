"""What the inspector reviews before completing: score, vetoes, what is still missing."""

from __future__ import annotations

from typing import Any

from inspector_app.i18n import pick
from inspector_app.services.inspection_views import load_inspection_state
from inspector_app.services.inspections import describe_missing, grade_label
from inspector_app.services.photos import missing_photos
from inspector_app.store.repo import findings as findings_repo
from inspector_app.workspace import Workspace


def completion_summary(ws: Workspace, inspection_id: str) -> dict[str, Any]:
    """What the inspector reviews before completing: score, vetoes, what is still missing."""
    state = load_inspection_state(ws, inspection_id)
    t = state.template
    with ws.db.session() as s:
        open_rows = findings_repo.findings(s, state.id, open_only=True)
    missing_photo_counts = missing_photos(ws, inspection_id)
    return {
        "score": state.score.total,
        "max_score": state.score.max_total,
        "grade": state.score.grade,
        "grade_label": grade_label(t, state.score.grade),
        "vetoes": [
            {
                "title": pick({"zh": v.title_zh, "en": v.title_en}),
                "reason": pick({"zh": v.reason_zh, "en": v.reason_en}),
            }
            for v in state.score.vetoes
        ],
        "missing_required": describe_missing(t, state.score.missing_required),
        "missing_photos": [
            {"item": item_id, "title": pick(t.item(item_id).title), "missing": n}
            for item_id, n in missing_photo_counts.items()
            if n > 0
        ],
        "open_findings": [
            {
                "id": f.id,
                "description": f.description,
                "severity": f.severity,
                "deadline": f.deadline.isoformat() if f.deadline else None,
            }
            for f in open_rows
        ],
        "can_complete": not state.score.missing_required and state.editable,
        "sample_weights": t.uses_sample_weights,
    }
