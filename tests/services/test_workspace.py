"""Opening a data folder as a Workspace: what a start does, the desktop's lock, and the
settings snapshot. Real folders, real SQLite files, real locks."""

from __future__ import annotations

from pathlib import Path

from inspector_app.services import drafts
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.startup import open_workspace
from inspector_app.services.templates import list_templates
from inspector_app.settings import Settings
from inspector_app.store.locks import try_hold
from tests.services.helpers import start


def test_a_new_folder_opens_migrated_with_the_forms_pinned(tmp_path: Path) -> None:
    settings = Settings(organisation="威海市科学技术局", timezone="Asia/Urumqi")
    ws, recovery = open_workspace(tmp_path / "new", actor="王晓明", settings=settings)
    with ws:
        assert list_templates(ws)
        assert recovery.applied == [] and recovery.dropped == []
        assert (ws.actor, ws.organisation, ws.zone) == ("王晓明", "威海市科学技术局", "Asia/Urumqi")
        assert ws.media_dir == tmp_path / "new" / "media"
        settings.organisation = "改了"  # the caller's object is not the workspace's snapshot
        assert ws.organisation == "威海市科学技术局"
        assert ws.with_settings(Settings()).organisation is None and ws.organisation


def test_the_desktop_holds_the_lock_and_a_second_start_leaves_its_drafts(ws, data_dir) -> None:
    insp_id, template = start(ws)
    text = next(i for i in template.items() if i.type.value == "text")
    desktop, _recovered = open_workspace(data_dir, actor="甲", settings=Settings(), desktop=True)
    try:
        assert desktop.desktop_lock is not None
        assert try_hold(data_dir / drafts.DESKTOP_LOCK) is None  # taken
        drafts.save_draft(desktop, insp_id, text.id, "value", "正在输入", actor="甲")
        other, recovery = open_workspace(data_dir, actor="乙", settings=Settings())
        with other:
            assert recovery.applied == []  # the running desktop's, left alone
            assert [d.text for d in drafts.pending_drafts(other)] == ["正在输入"]
    finally:
        desktop.close()
    assert desktop.desktop_lock is None
    again, recovery = open_workspace(data_dir, actor="乙", settings=Settings())
    with again:  # no desktop now: a crash's draft, turned into its edit
        assert [d.text for d in recovery.applied] == ["正在输入"]
        assert views_svc.load_inspection_state(again, insp_id).answers[text.id].value == "正在输入"


def test_a_desktop_on_a_new_folder_takes_the_lock_once_it_exists(tmp_path: Path) -> None:
    ws, _ = open_workspace(tmp_path / "fresh", actor="甲", settings=Settings(), desktop=True)
    with ws:
        assert ws.desktop_lock is not None
        assert try_hold(tmp_path / "fresh" / drafts.DESKTOP_LOCK) is None
    held = try_hold(tmp_path / "fresh" / drafts.DESKTOP_LOCK)
    assert held is not None  # released on close
    held.release()
