"""Entry point of the windowed executable (``Inspector`` in the one-folder build).

The same command line as ``inspector-app``; with no command (a double click) the desktop
starts. A windowed program on Windows has no console, so ``sys.stdout`` and ``sys.stderr``
are None there: they are pointed at the null device, so that whatever prints does not fail.
No Qt here: ``cli`` imports the desktop (``inspector_app.ui``) only when it starts it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    from inspector_app.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
