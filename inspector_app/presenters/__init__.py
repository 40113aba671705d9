"""Values put into words for people: labels, times and sentences, shared by the command line,
the desktop and the report. Qt-free and database-free: every function takes plain values
(a status, an answer, a template) and a ``Translator`` for the language of the text
(``i18n.CURRENT``, the process language, when none is given).

``text`` holds the small rules (one line, the dash for nothing, numbers, yes/no),
``labels`` the words of the vocabulary (statuses, grades, severities, roles, site types),
``values`` answers and logged values as the checklist shows them, and ``history`` the
sentences of the audit timeline.

Services hand out data; what turns it into text for a person is here. The layer sits beside
``domain/``: it imports ``i18n``, ``timefmt`` and ``domain`` only, so the report's service,
the CLI and the screens all use the same words (tests/test_architecture.py).
"""
