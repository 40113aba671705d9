"""Dialogs: one base that remembers its geometry; new inspection; settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _, pick
from inspector_app.settings import Settings, default_organisation
from inspector_app.ui.windows import fit_to_screen, qsettings


class DateField(QDateEdit):
    """A date box Tab leaves, as every other field: Qt's own walks year, month and day
    first, so text typed after one Tab (a finding's responsible person) went into the
    month. The arrow keys and typing still move between the parts of the date."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class RememberingDialog(QDialog):
    """A dialog that comes back where the user left it, and always fits its screen: a
    remembered place is kept only if the whole dialog fits there (STYLE: one dialog base)."""

    key = "dialog"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        geometry = qsettings().value(f"{self.key}/geometry")
        self._remembered = isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)

    def setVisible(self, visible: bool) -> None:
        if visible and not self.isVisible():
            fit_to_screen(self, remembered=self._remembered)
        super().setVisible(visible)

    def done(self, result: int) -> None:
        qsettings().setValue(f"{self.key}/geometry", self.saveGeometry())
        super().done(result)

    def buttons(self) -> QDialogButtonBox:
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.button(QDialogButtonBox.StandardButton.Ok).setText(_("OK"))
        box.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        # Ctrl+Enter is OK from anywhere, a multi-line box too (where Enter starts a new
        # line), as it is "next item" from the editor's text boxes
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.accept)
        return box


class NewInspectionDialog(RememberingDialog):
    """Site, template (filtered to the site's type), inspectors, date."""

    key = "new_inspection"

    def __init__(
        self,
        sites: list[Any],
        templates: list[Any],
        default_inspectors: list[str],
        parent: QWidget | None = None,
        preselect_site: str | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(_("New inspection"))
        self._templates = templates
        self.site = QComboBox()
        self.site.setEditable(True)  # type part of a name or code, pick from the list
        self.site.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for site in sites:
            self.site.addItem(f"{site.code}  {site.name}", site)
        completer = self.site.completer()
        assert completer is not None  # an editable combo box always has one
        completer.setFilterMode(Qt.MatchFlag.MatchContains)  # "新材料" finds the site
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.template = QComboBox()
        self.inspectors = QLineEdit("、".join(default_inspectors))
        self.inspectors.setPlaceholderText(_("names, separated by 、 or commas"))
        self.date = DateField(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        form = QFormLayout()
        form.addRow(_("Site"), self.site)
        form.addRow(_("Template"), self.template)
        form.addRow(_("Inspectors"), self.inspectors)
        form.addRow(_("Date"), self.date)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons())
        self.site.currentIndexChanged.connect(self._fill_templates)
        if preselect_site:
            for i in range(self.site.count()):
                if self.site.itemData(i).id == preselect_site:
                    self.site.setCurrentIndex(i)
        self._fill_templates()
        self.resize(max(self.width(), 520), self.height())

    def _fill_templates(self) -> None:
        site = self.site.currentData()
        self.template.clear()
        if site is None:
            return
        matching = [t for t in self._templates if t.site_type == site.site_type]
        for t in matching:
            label = f"{pick({'zh': t.title_zh, 'en': t.title_en})} {t.version}"
            if t.sample_weights:
                label += _(" (sample weights)")
            self.template.addItem(label, t)

    def names(self) -> list[str]:
        text = self.inspectors.text().replace(",", "、").replace("，", "、").replace(";", "、")
        return [n.strip() for n in text.split("、") if n.strip()]

    def typed_site(self) -> tuple[int, str]:
        """The site the text in the box names: (its index, "") or (-1, why not). The box
        is editable, so its text may be a part of a name no longer the current item's."""
        text = self.site.currentText().strip()
        current = self.site.currentIndex()
        if current >= 0 and text == self.site.itemText(current):
            return current, ""
        if not text:
            return -1, _("Choose a site.")
        needle = text.casefold()
        matches = [
            i for i in range(self.site.count()) if needle in self.site.itemText(i).casefold()
        ]
        if len(matches) == 1:
            return matches[0], ""
        if not matches:
            return -1, _("No site's name or code contains “{text}”.", text=text)
        return -1, _("{n} sites match “{text}”: pick one from the list.", n=len(matches), text=text)

    def accept(self) -> None:
        index, problem = self.typed_site()
        if index < 0:
            self.error.setText(problem)
            self.site.setFocus()
            return
        if index != self.site.currentIndex():
            self.site.setCurrentIndex(index)  # the typed site, with its own templates
        if self.template.currentData() is None:
            self.error.setText(_("There is no template for this type of site."))
            return
        if not self.names():
            self.error.setText(_("Name at least one inspector."))
            self.inspectors.setFocus()
            return
        super().accept()

    def values(self) -> dict[str, Any]:
        return {
            "site_id": self.site.currentData().id,
            "template_version_id": self.template.currentData().id,
            "inspectors": self.names(),
            "started_on": dt.date.fromisoformat(self.date.date().toString("yyyy-MM-dd")),
        }


class SettingsDialog(RememberingDialog):
    """Inspector names, organisation, language, data folder. ``language`` is the one this
    run shows (``--lang`` may differ from the saved one); it is saved only when changed."""

    key = "settings"

    def __init__(
        self,
        settings: Settings,
        current_data_dir: Path,
        parent: QWidget | None = None,
        language: str | None = None,
        folder_given: bool = False,
    ):
        super().__init__(parent)
        self.setWindowTitle(_("Settings"))
        self.folder_given = folder_given
        self.shown_language = language or settings.language
        self.inspectors = QLineEdit("、".join(settings.inspectors))
        self.inspectors.setPlaceholderText(_("names, separated by 、 or commas"))
        self.organisation = QLineEdit(settings.organisation)
        # empty prints the default: say which, so an empty box is not taken for "none"
        self.organisation.setPlaceholderText(
            _("shown on reports; empty: {default}", default=default_organisation())
        )
        self.language = QComboBox()
        self.language.addItem("中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if self.shown_language == "zh" else 1)
        shown_dir = "" if folder_given else settings.data_dir
        self.data_dir = QLineEdit(shown_dir or str(current_data_dir))
        self.data_dir.setAccessibleName(_("Data folder"))
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._choose_dir)
        row = QHBoxLayout()
        row.addWidget(self.data_dir)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow(_("Inspectors"), self.inspectors)
        form.addRow(_("Organisation"), self.organisation)
        form.addRow(_("Language"), self.language)
        form.addRow(_("Data folder"), row)
        if folder_given:  # for this run only: the folder keeps these settings itself
            self.data_dir.setReadOnly(True)
            browse.setEnabled(False)
            note = QLabel(
                _(
                    "This data folder was given when Inspector was started; these settings "
                    "are kept in it, and the default data folder stays as it is."
                )
            )
            note.setWordWrap(True)
            note.setStyleSheet("color: #555;")
            form.addRow("", note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons())
        width = max(self.sizeHint().width(), 600)
        self.resize(width, max(self.sizeHint().height(), self.heightForWidth(width)))  # wraps

    def _choose_dir(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Data folder"), self.data_dir.text())
        if chosen:
            self.data_dir.setText(chosen)

    def language_chosen(self) -> bool:
        """True when the inspector picked another language than the one shown."""
        return bool(self.language.currentData() != self.shown_language)

    def apply_to(self, settings: Settings, default_data_dir: Path) -> Settings:
        text = self.inspectors.text().replace(",", "、").replace("，", "、")
        settings.inspectors = [n.strip() for n in text.split("、") if n.strip()]
        settings.organisation = self.organisation.text().strip()
        if self.language_chosen():
            settings.language = self.language.currentData()
        if not self.folder_given:
            chosen = self.data_dir.text().strip()
            settings.data_dir = "" if not chosen or Path(chosen) == default_data_dir else chosen
        return settings
