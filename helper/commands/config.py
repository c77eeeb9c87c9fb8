"""``config show [--json]`` and ``config check``: what is in effect, where it came from."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from helper import i18n
from helper.config import BY_KEY, Config
from helper.config.values import mask_url
from helper.exitcodes import ExitCode
from helper.logs import MASK


def register(subparsers: Any, lang: str) -> None:
    parser = subparsers.add_parser("config", help=i18n.t("cli.help_config", lang))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help=i18n.t("cli.help_config_show", lang))
    show.add_argument("--json", action="store_true", help=i18n.t("cli.help_json", lang))
    show.set_defaults(run=run_show, runs_on_invalid_config=True)
    check = actions.add_parser("check", help=i18n.t("cli.help_config_check", lang))
    check.set_defaults(run=run_check, runs_on_invalid_config=True)


def shown_value(key: str, value: Any) -> Any:
    """The value as ``config show`` may print it: secrets and URL passwords masked."""
    if BY_KEY[key].secret:
        return MASK if value else ""
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    return value


def as_json(config: Config) -> dict[str, dict[str, Any]]:
    return {
        key: {
            "value": shown_value(key, e.value),
            "source": e.source.describe("en"),
            "locked": e.locked,
        }
        for key, e in config.entries.items()
    }


def run_show(args: argparse.Namespace, config: Config) -> int:
    lang = config.language
    if args.json:
        print(json.dumps(as_json(config), indent=2, ensure_ascii=False))
    else:
        width = max(len(k) for k in config.entries)
        for key, entry in config.entries.items():
            value = json.dumps(shown_value(key, entry.value), ensure_ascii=False)
            flag = f" [{i18n.t('config.locked', lang)}]" if entry.locked else ""
            print(f"{key:<{width}} = {value}")
            print(f"{'':<{width}}   # {entry.source.describe(lang)}{flag}")
            for attempt in (i for i in config.ignored if i.key == key):
                text = i18n.t(
                    "config.ignored",
                    lang,
                    source=attempt.source.describe(lang),
                    locked_by=attempt.locked_by.describe(lang),
                )
                print(f"{'':<{width}}   # {text}")
    return _report(config)


def run_check(args: argparse.Namespace, config: Config) -> int:
    if config.valid:
        print(i18n.t("config.valid", config.language))
    return _report(config)


def _report(config: Config) -> int:
    """Every problem, the configuration's own and those of apps and consent (added by
    ``cli.prepare``, see ``problems.py``), and the exit code they make."""
    for line in [p.render(config.language) for p in config.problems] + config.advice():
        print(line, file=sys.stderr)
    return ExitCode.OK if config.valid else ExitCode.CONFIG
