"""``notice [--lang LANGUAGE] [--json]``: the notice exactly as the customer would see it.

Administrators use it to check a replaced notice text and its SHA-256 before deploying.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from helper import i18n
from helper.config import Config
from helper.consent.notice import NoticeFileError, load_notice
from helper.exitcodes import ExitCode


def register(subparsers: Any, lang: str) -> None:
    parser = subparsers.add_parser("notice", help=i18n.t("consent.cli.help_notice", lang))
    # Its own dest: the global --lang also sets ui.language, which may be locked.
    parser.add_argument(
        "--lang",
        dest="notice_lang",
        choices=i18n.LANGUAGES,
        help=i18n.t("consent.cli.help_notice_lang", lang),
    )
    parser.add_argument("--json", action="store_true", help=i18n.t("cli.help_json", lang))
    # Explicit: the top-level parser lets the window run on an invalid configuration.
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    lang = args.notice_lang or config.language
    try:
        notice = load_notice(config, lang)
    except NoticeFileError as exc:
        print(exc.text(config.language), file=sys.stderr)
        print(i18n.t("consent.notice_file.ask_admin", config.language), file=sys.stderr)
        return ExitCode.CONFIG
    if args.json:
        data = {
            "id": notice.id,
            "version": notice.version,
            "language": notice.language,
            "sha256": notice.sha256,
            "text": notice.text,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return ExitCode.OK
    print(notice.text)
    print()
    print(
        i18n.t(
            "consent.cli.identity",
            lang,
            id=notice.id,
            version=notice.version,
            language=notice.language,
            sha256=notice.sha256,
        )
    )
    return ExitCode.OK
