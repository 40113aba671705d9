"""What a command is given besides its arguments: the data folder, opened on first use."""

from __future__ import annotations

from pathlib import Path

from inspector_app.cli.checks import safe
from inspector_app.cli.output import warn
from inspector_app.i18n import _

DROPPED_SHOWN = 5  # typed texts a start could not save, named one by one


class Context:
    """What a command needs: the data folder, opened on first use."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._db = None
        from inspector_app.settings import default_actor

        self.actor = default_actor()

    @property
    def db(self):  # type: ignore[no-untyped-def]
        if self._db is None:
            from inspector_app.services.drafts import recover_drafts
            from inspector_app.store.db import open_database

            self._db = open_database(self.data_dir)
            recovery = recover_drafts(self._db)  # text typed in a desktop that died: never lost
            for draft, why in recovery.dropped[:DROPPED_SHOWN]:  # unless it cannot be saved
                warn(
                    _(
                        "warning: what was typed for item {item} of inspection {id} was not "
                        "saved: {reason}",
                        item=safe(draft.item_id),
                        id=safe(draft.inspection_id[:8]),
                        reason=why,
                    )
                )
            if len(recovery.dropped) > DROPPED_SHOWN:
                warn(
                    _(
                        "warning: {n} more typed texts were not saved",
                        n=len(recovery.dropped) - DROPPED_SHOWN,
                    )
                )
        return self._db

    def with_templates(self):  # type: ignore[no-untyped-def]
        from inspector_app.services.startup import ensure_templates

        for issue in ensure_templates(self.db):
            warn(issue)
        return self.db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
