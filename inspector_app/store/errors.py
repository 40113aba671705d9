"""The store's refusal, apart from ``db`` so that ``migrate`` (which ``db`` runs) can raise it
without importing ``db`` back."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be opened safely; the message says why and what to do."""
