"""``scan [--json]``: which running programs may show confidential data, and why."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from helper import i18n
from helper.apps import catalogue as apps_catalogue
from helper.apps.catalogue import Catalogue
from helper.apps.detect import scan
from helper.apps.model import ScanResult
from helper.config import Config
from helper.exitcodes import ExitCode
from helper.program import invoked_as


def register(subparsers: Any, lang: str) -> None:
    parser = subparsers.add_parser("scan", help=i18n.t("apps.help_scan", lang))
    parser.add_argument("--json", action="store_true", help=i18n.t("cli.help_json", lang))
    parser.set_defaults(run=run)


def as_json(result: ScanResult, catalogue: Catalogue, lang: str) -> dict[str, Any]:
    """The documented JSON shape; ``pids`` are sorted integers."""
    return {
        "applications": [
            {
                "id": app.id,
                "name": app.name,
                "category": app.category,
                "reason": catalogue.reason(app.category, lang),
                "pids": sorted(app.pids),
                "main_pid": app.main_pid,
                "keep_open": app.keep_open,
            }
            for app in result.applications
        ],
        "remote_support_running": result.remote_support_running,
    }


def as_text(result: ScanResult, catalogue: Catalogue, lang: str) -> str:
    """A table grouped by category, each with its reason and each application with the id
    that ``close`` takes; the order is the scan's."""
    lines: list[str] = []
    if result.applications:
        lines.append(i18n.t("apps.found_header", lang))
    else:
        lines.append(i18n.t("apps.none_found", lang))
    names = {
        app.id: app.name + (f" ({i18n.t('apps.kept_open', lang)})" if app.keep_open else "")
        for app in result.applications
    }
    width = max(map(len, names.values()), default=0)
    category = None
    for app in result.applications:
        if app.category != category:
            category = app.category
            lines += ["", catalogue.category_name(category, lang)]
            lines += textwrap.wrap(
                catalogue.reason(category, lang),
                width=78,
                initial_indent="  ",
                subsequent_indent="  ",
            )
        lines.append(f"    - {names[app.id]:<{width}}   {i18n.t('apps.id', lang, id=app.id)}")
    remote = "apps.remote_running" if result.remote_support_running else "apps.remote_missing"
    lines += ["", i18n.t(remote, lang)]
    if any(not app.keep_open for app in result.applications):
        lines.append(i18n.t("apps.how_to_close", lang, command=invoked_as()))
    return "\n".join(lines)


def run(args: argparse.Namespace, config: Config) -> int:
    lang = config.language
    catalogue = apps_catalogue.load(config)
    result = scan(config, catalogue)
    if args.json:
        print(json.dumps(as_json(result, catalogue, lang), indent=2, ensure_ascii=False))
    else:
        print(as_text(result, catalogue, lang))
    return ExitCode.OK
