"""PyInstaller runtime hook (build.spec): the frozen Inspector carries no HTTP client.

pyHanko imports aiohttp as soon as its signing package loads (for timestamp servers and for
fetching certificates and revocation data), although Inspector never fetches anything:
verification runs with ``allow_fetching=False`` and signing uses no timestamp server. The
build leaves aiohttp and its dependencies out, and this hook puts a stand-in module in its
place before the app starts, so pyHanko imports as usual while anything that would open a
connection fails at once: every name of the stand-in is a class that refuses to be made.

When a build does contain aiohttp, the hook does nothing.
"""

from __future__ import annotations

import importlib.util
import sys
import types

NAME = "aiohttp"
MESSAGE = "Inspector works offline: this build has no HTTP client (aiohttp)"


class OfflineStandIn(Exception):
    """Base of every stand-in name; an Exception, as aiohttp's errors are caught by name."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError(MESSAGE)


def _stand_in() -> types.ModuleType:
    module = types.ModuleType(NAME, __doc__)

    def __getattr__(name: str) -> type:
        if name.startswith("__"):
            raise AttributeError(name)
        cls = type(name, (OfflineStandIn,), {"__module__": NAME})
        setattr(module, name, cls)
        return cls

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.OFFLINE_STAND_IN = True  # type: ignore[attr-defined]
    return module


def install() -> bool:
    """Put the stand-in in place unless the real aiohttp can be imported."""
    if NAME in sys.modules:
        return False
    try:
        found = importlib.util.find_spec(NAME) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        return False
    sys.modules[NAME] = _stand_in()
    return True


install()
