"""``confirm``: the whole flow in the terminal, from Session ID to receipt."""

from __future__ import annotations

import argparse
import logging
import threading
from typing import Any

from helper import i18n
from helper.config import Config
from helper.flow import Wizard
from helper.flow.services import LocalServices
from helper.ui import terminal

log = logging.getLogger(__name__)


def register(subparsers: Any, lang: str) -> None:
    parser = subparsers.add_parser("confirm", help=i18n.t("cli.help_confirm", lang))
    parser.add_argument("--session-id", default="", help=i18n.t("cli.help_session_id", lang))
    parser.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=argparse.SUPPRESS,
        help=i18n.t("cli.help_lang", lang),
    )
    parser.set_defaults(run=run)


def send_earlier_records(services: LocalServices) -> threading.Thread:
    """Deliver what earlier runs left in the outbox, beside the customer's typing."""

    def work() -> None:
        try:
            services.send_pending()
        except Exception:
            log.exception("Sending earlier confirmations failed; they stay in the outbox")

    thread = threading.Thread(target=work, name="outbox", daemon=True)
    thread.start()
    return thread


def run(args: argparse.Namespace, config: Config) -> int:
    services = LocalServices(config)
    send_earlier_records(services)
    wizard = Wizard(config, services)
    return terminal.run(wizard, args.session_id)
