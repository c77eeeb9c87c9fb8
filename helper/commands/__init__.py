"""One module per subcommand; each exposes ``register(subparsers, lang)`` (see ``cli``)."""

import argparse

from helper import i18n


def add_flow_options(parser: argparse.ArgumentParser, lang: str) -> None:
    """``--session-id`` and ``--lang``, shared by the window and the terminal flow."""
    parser.add_argument("--session-id", default="", help=i18n.t("cli.help_session_id", lang))
    # SUPPRESS: when not given here, the global --lang (before the command) still counts.
    parser.add_argument(
        "--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS,
        help=i18n.t("cli.help_lang", lang),
    )  # fmt: skip
