"""``gui`` (and no command at all): the customer's window."""

from __future__ import annotations

import argparse
from typing import Any

from helper import i18n
from helper.commands import add_flow_options
from helper.config import Config


def register(subparsers: Any, lang: str) -> None:
    parser = subparsers.add_parser("gui", help=i18n.t("cli.help_gui", lang))
    add_flow_options(parser, lang)
    parser.set_defaults(run=run, runs_on_invalid_config=True)


def run(args: argparse.Namespace, config: Config) -> int:
    """Open the window; an invalid configuration is shown in a dialog there."""
    from helper.ui.tk.main import open_window

    return open_window(config, getattr(args, "session_id", ""))
