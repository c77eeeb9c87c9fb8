"""``confirm``: the whole flow in the terminal, from Session ID to receipt."""

from __future__ import annotations

import argparse
from typing import Any

from helper import i18n
from helper.commands import add_flow_options
from helper.config import Config


def register(subparsers: Any, lang: str) -> None:
    parser = subparsers.add_parser("confirm", help=i18n.t("cli.help_confirm", lang))
    add_flow_options(parser, lang)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    from helper.flow import Wizard
    from helper.flow.services import LocalServices
    from helper.ui import terminal

    services = LocalServices(config)
    services.send_pending_in_background()
    return terminal.run(Wizard(config, services), args.session_id)
