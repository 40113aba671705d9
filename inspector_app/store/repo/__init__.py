"""The repository: every query and every write of the data folder's database (issue 10).

One module per area (``inspections``, ``answers``, ``findings``, ``photos``, ``drafts``,
``sync``, ...). Each is a set of functions taking the unit of work first (``tx: Tx``, the
session of ``Database.transaction()``) and returning domain values (``inspector_app.domain``:
frozen dataclasses with JSON already decoded) or plain values; writes take domain values
too. Nothing outside ``store/`` builds SQL, holds a raw connection, names a ``rowid`` or
imports sqlite3 / SQLAlchemy / SQLModel (import-linter and tests/test_architecture.py).

Hot paths (an answer edit, the browser's lists) use SQLAlchemy Core statements on the
session's connection over the tables of ``store/models.py`` rather than ORM loads, which
is also what keeps the SQL portable to PostgreSQL.
"""
