"""The domain: pure Python, no SQL, no Qt.

``checklists`` holds templates (schema, loader) and scoring; ``vocab`` every enum with its
rules. Everything above (store, services, sync, reports, the CLI and the GUI) speaks in
these terms.
"""
