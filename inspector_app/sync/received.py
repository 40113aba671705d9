"""The history entries an inspection arrived with, kept with the device they came from.

Two kinds of rows in ``received_history``:

- *lineage* rows: the history of the version in use, in its order. With the entries of this
  folder's own log since, they are the inspection's history, which decides whether a later
  package fast-forwards or conflicts (``bundles.history_of``).
- rows kept to be shown only (``lineage`` False): the history of a version with the same
  content from another device, and the entries of a version a person replaced by another.
  They never count in a merge and never travel on.

Each row remembers the device whose package brought it here first (``device_id``; its
readable name is the one that device gave last, ``sync_device``). An entry's own hash is
checked when it arrives (``checks``) and can be checked again when shown
(``entry_hash_ok``); the entries are not linked into this folder's hash chain.

The rows are the store's (``store/repo/sync.py``); this module names what the sync layer
and the history window use of them.
"""

from __future__ import annotations

from inspector_app.domain.packages import ReceivedEntry
from inspector_app.store.repo.sync import (
    entry_hash_ok,
    received_entries,
    store_lineage,
    store_shown_only,
)

__all__ = [
    "ReceivedEntry",
    "entry_hash_ok",
    "received_entries",
    "store_lineage",
    "store_shown_only",
]
