"""The argument parser: the options every command takes, then each command module's
commands, in the order ``--help`` lists them."""

from __future__ import annotations

import argparse

from inspector_app import __version__, paths
from inspector_app.cli import (
    audit,
    ca,
    demo,
    doctor,
    findings,
    forms,
    inspections,
    keys,
    photos,
    reports,
    sites,
    sync,
)
from inspector_app.cli.text import translate_argparse
from inspector_app.i18n import _

# Each has register(subparsers) (cli/commands.py); the order is the order of --help.
COMMAND_MODULES = (
    forms,
    sites,
    demo,
    inspections,
    findings,
    photos,
    ca,
    keys,
    reports,  # report, verify
    sync,  # export, import, conflicts, resolve
    audit,
    doctor,
)


def build_parser() -> argparse.ArgumentParser:
    translate_argparse()  # argparse's own words too; its group titles are read right here
    p = argparse.ArgumentParser(
        prog="inspector-app",
        description=_("Inspector: offline field inspection (中试基地 / 技术转移服务机构 绩效评价)"),
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("show the version and exit"),
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help=_("data folder (default: ${env} or the per-user data folder)", env=paths.DATA_DIR_ENV),
    )
    p.add_argument("--lang", choices=("zh", "en"), help=_("language of messages (default zh)"))
    p.add_argument(
        "--sample-data",
        action="store_true",
        help=_("desktop: load the sample data (示例) first if the data folder is empty"),
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return p
