"""How a device is named for people: "inspector @ computer", e.g. "王晓明 @ LAPTOP-7F3K".

A device is its id and its key (pinned on first import, ``services.sync``); its name is only
what it calls itself. The exporter names it from the inspector (the settings' first inspector
name, else the login name) and the computer's host name, and the manifest carries it. The
importer keeps the latest name a device gave (by its package sequence) and shows that one
everywhere: the import preview, the conflicts, the history. Since anyone can give any name,
the key fingerprint is what tells devices apart; the preview warns when two devices here
carry the same name.
"""

from __future__ import annotations

import socket
from collections import Counter
from typing import TYPE_CHECKING

from inspector_app.i18n import _
from inspector_app.store.repo import sync as repo
from inspector_app.sync.manifest import MAX_DEVICE_NAME_CHARS, key_fingerprint

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

SEPARATOR = " @ "


def computer_name() -> str:
    """This computer's host name (a local call, no network)."""
    return socket.gethostname().strip() or "computer"


def readable_name(inspector: str, computer: str | None = None) -> str:
    """``inspector @ computer``, one line, within the manifest's limit."""
    person = " ".join(str(inspector).split()) or "inspector"
    host = " ".join((computer if computer is not None else computer_name()).split()) or "computer"
    room = MAX_DEVICE_NAME_CHARS - len(SEPARATOR) - min(len(host), 100)
    return f"{person[:room]}{SEPARATOR}{host[:100]}"


def device_names(s: Tx) -> dict[str, str]:
    """Device id -> the latest name it gave, for every device whose packages came here."""
    return {d.device_id: d.device_name for d in repo.devices(s)}


def shown_names(s: Tx) -> dict[str, str]:
    """Device id -> its name for people: the latest name it gave, with its key's fingerprint
    when another device here gives the same name (anyone can give any name, so a copier
    naming its device as a laptop does is told apart from the laptop)."""
    rows = repo.devices(s)
    given = Counter(d.device_name for d in rows)
    return {
        d.device_id: (
            _(
                "{name} (key {fingerprint})",
                name=d.device_name,
                fingerprint=key_fingerprint(d.public_key),
            )
            if given[d.device_name] > 1
            else d.device_name
        )
        for d in rows
    }
