"""``close ID [ID ...] [--timeout S] [--json]``: ask detected applications to close.

Scans first, so only applications that run now, for this user, can be named, by id or by
the name ``scan`` shows; each is asked the way its close button would and given
``--timeout`` seconds (default ``apps.close_timeout_s``). Exit 0 when every one closed or
was no longer running, 3 (NOT_ALL_CLOSED) otherwise, 2 for a word that names none (with
``--json`` still JSON: ``{"results": [], "error": {...}}``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from helper import i18n
from helper.apps.close import close_apps
from helper.apps.detect import scan
from helper.apps.model import CloseResult, CloseStatus, DetectedApp
from helper.config import Config
from helper.exitcodes import ExitCode
from helper.program import invoked_as

_DONE = (CloseStatus.CLOSED, CloseStatus.NOT_RUNNING)


def register(subparsers: Any, lang: str) -> None:
    def seconds(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not value >= 0:  # also rejects nan
            raise argparse.ArgumentTypeError(i18n.t("close.bad_timeout", lang, got=text))
        return value

    parser = subparsers.add_parser(
        "close", help=i18n.t("close.help", lang), description=i18n.t("close.description", lang)
    )
    parser.add_argument("ids", nargs="+", metavar="ID", help=i18n.t("close.help_ids", lang))
    parser.add_argument(
        "--timeout", type=seconds, metavar="S", help=i18n.t("close.help_timeout", lang)
    )
    parser.add_argument("--json", action="store_true", help=i18n.t("cli.help_json", lang))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    lang = config.language
    detected = scan(config).applications
    apps, unknown = pick(detected, args.ids)
    if unknown:
        return refuse_unknown(unknown, detected, lang, as_json=args.json)
    timeout = float(config["apps.close_timeout_s"] if args.timeout is None else args.timeout)
    names = {app.id: app.name for app in apps}

    def progress(app_id: str, status: CloseStatus | None) -> None:
        name = names.get(app_id, app_id)
        if status is None:
            print(
                i18n.t("close.progress.asked", lang, name=name, seconds=f"{timeout:g}"),
                file=sys.stderr,
                flush=True,
            )
        elif status is CloseStatus.CLOSED:
            print(i18n.t("close.progress.closed", lang, name=name), file=sys.stderr, flush=True)

    results = close_apps(apps, timeout, progress=progress)
    if args.json:
        rows = [{"id": r.id, "status": r.status.value} for r in results]
        print(json.dumps({"results": rows}, indent=2, ensure_ascii=False))
    else:
        for app, result in zip(apps, results, strict=True):
            print(outcome_text(app, result, lang))
    return ExitCode.OK if all(r.status in _DONE for r in results) else ExitCode.NOT_ALL_CLOSED


def pick(
    detected: Sequence[DetectedApp], words: Sequence[str]
) -> tuple[list[DetectedApp], list[str]]:
    """The applications named by id or by their name as ``scan`` shows it (in any case),
    each once, in the order given; and the words that name none of them."""
    by_word: dict[str, DetectedApp] = {}
    for app in detected:
        by_word.setdefault(app.name.casefold(), app)
    by_word.update((app.id.casefold(), app) for app in detected)  # an id wins over a name
    chosen: dict[str, DetectedApp] = {}
    unknown: list[str] = []
    for word in words:
        found = by_word.get(word.strip().casefold())
        if found is None:
            unknown.append(word)
        else:
            chosen.setdefault(found.id, found)
    return list(chosen.values()), list(dict.fromkeys(unknown))


def refuse_unknown(
    unknown: list[str], detected: Sequence[DetectedApp], lang: str, as_json: bool
) -> int:
    """Nothing is closed when one word names no running application: say which, and
    where the ids are; with ``--json`` also as the documented error object."""
    lines = [i18n.t("close.unknown", lang, ids=", ".join(unknown))]
    if detected:
        ids = ", ".join(f"{app.id} ({app.name})" for app in detected)
        lines.append(i18n.t("close.detected", lang, ids=ids, command=invoked_as()))
    else:
        lines.append(i18n.t("close.none_detected", lang))
    print("\n".join(lines), file=sys.stderr)
    if as_json:
        error = {
            "code": "unknown_id",
            "message": " ".join(lines),
            "unknown": unknown,
            "detected": [{"id": app.id, "name": app.name} for app in detected],
        }
        print(json.dumps({"results": [], "error": error}, indent=2, ensure_ascii=False))
    return ExitCode.CONFIG


def outcome_text(app: DetectedApp, result: CloseResult, lang: str) -> str:
    """One plain sentence or two: what happened and, if needed, what the customer does."""
    status = result.status
    if status in (CloseStatus.MANUAL, CloseStatus.DENIED):
        key = f"close.{status.value}.{result.detail}"
        if key not in i18n.catalogue(i18n.DEFAULT_LANGUAGE):
            key = f"close.{status.value}.failed"
    else:
        key = f"close.outcome.{status.value}"
    return i18n.t(key, lang, name=app.name)
