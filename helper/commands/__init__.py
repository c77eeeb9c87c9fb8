"""One module per subcommand; each exposes ``register(subparsers, lang)`` (see ``cli``)."""

import argparse

from helper import i18n


def add_flow_options(parser: argparse.ArgumentParser, lang: str) -> None:
    """``--session-id``, shared by the window and the terminal flow (``--lang`` is global)."""
    parser.add_argument("--session-id", default="", help=i18n.t("cli.help_session_id", lang))
