"""Qt's own strings (standard buttons, file dialogs, context menus) in the app's language.

Qt's Chinese catalogue (``qtbase_zh_CN.qm``, shipped with PySide6) lags behind Qt: for
Qt 6 the widget file dialog's labels became "&Look in:" and "Files of &type:", which the
catalogue knows only without the "&", so they showed in English. The missing ones are in
``resources/i18n/qt_zh_CN.json`` (context, then source text), served by a translator that
Qt asks only after its own catalogue found nothing.
"""

from __future__ import annotations

import json
from functools import cache

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTranslator
from PySide6.QtWidgets import QApplication

from inspector_app import paths

EXTRAS_FILE = "qt_zh_CN.json"


@cache
def qt_extras() -> dict[str, dict[str, str]]:
    """Context -> source text -> Chinese, for Qt strings its catalogue lacks."""
    with (paths.i18n_dir() / EXTRAS_FILE).open(encoding="utf-8") as fh:
        return json.load(fh)


class QtExtrasTranslator(QTranslator):
    """Qt's strings that ``qtbase_zh_CN.qm`` does not have."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return qt_extras().get(context, {}).get(source, "")

    def isEmpty(self) -> bool:
        return False


def install_qt_translators(app: QApplication, lang: str) -> list[QTranslator]:
    """Install Qt's catalogue for ``lang`` (Chinese only: Qt's source texts are English)
    and the extras behind it; returns them for ``remove_qt_translators``."""
    if lang != "zh":
        return []
    installed: list[QTranslator] = []
    extras = QtExtrasTranslator(app)
    app.installTranslator(extras)  # installed first: asked last
    installed.append(extras)
    qtbase = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    china = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    if qtbase.load(china, "qtbase", "_", folder):
        app.installTranslator(qtbase)
        installed.append(qtbase)
    return installed


def remove_qt_translators(app: QApplication, translators: list[QTranslator]) -> None:
    for t in translators:
        app.removeTranslator(t)
        QObject.deleteLater(t)
