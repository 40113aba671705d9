"""What a command is given besides its arguments: the data folder as a Workspace, opened on
first use with the settings this run read."""

from __future__ import annotations

from pathlib import Path

from inspector_app.cli.checks import safe
from inspector_app.cli.output import warn
from inspector_app.i18n import _
from inspector_app.settings import Settings, default_actor
from inspector_app.workspace import Workspace

DROPPED_SHOWN = 5  # typed texts a start could not save, named one by one


class Context:
    """What a command needs: the data folder, opened on first use."""

    def __init__(self, data_dir: Path, settings: Settings | None = None):
        self.data_dir = data_dir
        self.settings = settings or Settings()
        self.actor = default_actor()
        self._ws: Workspace | None = None

    @property
    def ws(self) -> Workspace:
        if self._ws is None:
            from inspector_app.services.startup import open_workspace

            # text typed in a desktop that died is never lost, unless it cannot be saved
            self._ws, recovery = open_workspace(
                self.data_dir, actor=self.actor, settings=self.settings, forms=False
            )
            for draft, why in recovery.dropped[:DROPPED_SHOWN]:
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
        return self._ws

    def with_templates(self) -> Workspace:
        from inspector_app.services.startup import ensure_templates

        for issue in ensure_templates(self.ws):
            warn(issue)
        return self.ws

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
