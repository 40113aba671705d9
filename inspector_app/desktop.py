"""Entry point of the windowed executable (``Inspector`` in the one-folder build).

The same command line as ``inspector-app``; with no command (a double click) the desktop
starts. A windowed program on Windows has no console, so ``sys.stdout`` and ``sys.stderr``
are None there: they are pointed at the null device, so that whatever prints does not fail.
The top of the layers: it hands the command line the desktop to start when no command is
given, so ``cli`` never imports ``ui``; Qt is imported only when the desktop starts.
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

    return cli_main(argv, desktop=start_desktop)


def start_desktop(data_dir: str | None, sample_data: bool, language: str | None) -> int:
    """The desktop's event loop (what no command starts)."""
    from inspector_app.ui.app import run_gui

    return run_gui(data_dir, sample_data_if_empty=sample_data, language=language)


if __name__ == "__main__":
    raise SystemExit(main())
