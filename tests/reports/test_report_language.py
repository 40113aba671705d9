"""The report's language is passed in, never set process-wide (issue 10, fix 2).

A report built on a worker thread (the desktop's report dialog) in one language while the
window shows the other: halfway through the build, ``_()`` on the main thread still gives
the window's language, and the report comes out byte for byte as when the process shows
the report's language. The build is held halfway by an Event, not by sleeping.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from inspector_app import i18n
from inspector_app.i18n import _
from inspector_app.reports import builder
from inspector_app.services.demo import demo_id
from inspector_app.services.reports import UnsignedReport, render_report

SIGNED = demo_id("inspection", "pb-2024-1")  # PB-02's first visit: signed, findings, photos
TITLE = {"zh": "中试基地", "en": "Pilot base"}
WORDS = {"zh": ("草稿", "中试基地", "zh"), "en": ("Draft", "Pilot base", "en")}


def _window_words() -> tuple[str, str, str]:
    return _("Draft"), i18n.pick(TITLE), i18n.current_language()


@pytest.mark.parametrize(("shown", "report"), [("zh", "en"), ("en", "zh")])
def test_a_report_built_on_a_worker_leaves_the_window_language_alone(
    demo_ws: Any, monkeypatch: pytest.MonkeyPatch, shown: str, report: str
) -> None:
    i18n.set_language(report)
    alone = render_report(demo_ws, SIGNED, lang=report).pdf  # the process shows its language
    i18n.set_language(shown)  # the desktop's own switch: the window's language

    halfway, resume = threading.Event(), threading.Event()
    lay_out_items = builder._Builder.items

    def held_items(self: Any) -> Any:
        # the data is gathered and the cover and results laid out; the items wait
        halfway.set()
        if not resume.wait(120):  # only a safety net: the main thread sets it at once
            raise TimeoutError("the test never let the build go on")
        return lay_out_items(self)

    monkeypatch.setattr(builder._Builder, "items", held_items)
    done: dict[str, UnsignedReport | BaseException] = {}

    def build() -> None:
        try:
            done["report"] = render_report(demo_ws, SIGNED, lang=report)
        except BaseException as exc:  # handed to the main thread's asserts
            done["error"] = exc

    worker = threading.Thread(target=build, name="report-build")
    worker.start()
    try:
        reached = halfway.wait(120)
        during = _window_words()
    finally:
        resume.set()
        worker.join(120)
    assert reached and not worker.is_alive(), done.get("error")
    assert during == WORDS[shown], "the build switched the window's language"
    assert "error" not in done, done.get("error")
    built = done["report"]
    assert isinstance(built, UnsignedReport) and built.language == report
    assert built.pdf == alone  # every word in the report's language, none in the window's
    assert _window_words() == WORDS[shown]
