"""The one command-line entry point: ``intellekta-helper`` and ``python -m helper``.

Every subcommand lives in its own module under ``helper/commands`` and exposes
``register(subparsers, lang)``, which adds its parser and sets ``run(args, config) -> int``.
This module owns what they share: global options, loading and checking the
configuration, logging, and turning any unexpected error into exit code 1 with the log
file's path instead of a traceback.

For the window (no command, or ``gui``) Tk starts while the configuration loads (see
``helper/ui/tk/boot.py``); that is why this module imports the configuration, messages
and logging only inside :func:`prepare`, not at the top.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from helper import __version__
from helper.exitcodes import ExitCode

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing before Tk starts
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from helper import config

#: Subcommand modules in ``helper.commands``, in the order ``--help`` lists them.
COMMANDS = ("config", "notice", "confirm", "gui", "outbox", "scan", "close")


def _early_language(argv: Sequence[str]) -> str:
    """The language for argparse's own messages, before the configuration is loaded."""
    from helper import i18n

    for flag, value in zip(argv, [*argv[1:], ""], strict=False):
        if flag == "--lang" and value in i18n.LANGUAGES:
            return value
        if flag.startswith("--lang=") and flag[7:] in i18n.LANGUAGES:
            return flag[7:]
    return i18n.resolve_language(os.environ.get("INTELLEKTA_HELPER_UI_LANGUAGE", "auto"))


def _key_value(text: str) -> tuple[str, str]:
    import argparse

    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError("expected KEY=VALUE, e.g. intake.timeout_s=15")
    return key.strip(), value


def _requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv``, if any, found without importing every command.

    Only that command's module is imported (they pull in the network stack, psutil,
    python-xlib ...), so the window, the commonest case, starts quickly. Anything
    unusual (help, an unknown word) falls back to registering all of them.
    """
    takes_value = {"-c", "--set", "--lang"}
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return "*"
        if word in takes_value:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS else "*"
    return None


def _secrets_typed(argv: Sequence[str]) -> list[str]:
    """The values of secret settings in ``argv`` (``intake.token=...``, with or without
    ``-c``), which no usage error may repeat."""
    words = [w.partition("=") for w in argv if "=" in w]
    if not words:
        return []
    from helper.config import BY_KEY

    return [
        value
        for key, _sep, value in words
        if value and (setting := BY_KEY.get(key.strip().lstrip("-"))) and setting.secret
    ]


def build_parser(
    lang: str, only: str | None = "*", argv: Sequence[str] = ()
) -> argparse.ArgumentParser:
    import argparse
    from typing import NoReturn

    from helper import i18n
    from helper.logs import MASK

    secrets = _secrets_typed(argv)

    class Parser(argparse.ArgumentParser):
        """argparse's own, with typed secrets masked in its error messages."""

        def error(self, message: str) -> NoReturn:
            for secret in secrets:
                message = message.replace(secret, MASK)
            super().error(message)

    parser = Parser(
        prog="intellekta-helper",
        description=i18n.t("cli.description", lang, vendor="intellekta GmbH"),
    )
    parser.add_argument("--version", action="version", version=f"intellekta-helper {__version__}")
    _add_global_options(parser, lang, nested=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only == "*" else [only] if only else []:
        importlib.import_module(f"helper.commands.{name}").register(subparsers, lang)
    _add_to_subcommands(parser, lang)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, lang: str, nested: bool) -> None:
    """``-v``, ``--lang`` and ``-c``. A subcommand's copies store under ``sub_*`` and
    only when given, so ``scan --lang en`` and ``--lang en scan`` mean the same. A
    subcommand's own option of the same name wins (``notice --lang``: the notice's)."""
    import argparse

    from helper import i18n

    prefix = "sub_" if nested else ""
    options: list[tuple[tuple[str, ...], dict[str, Any]]] = [
        (
            ("-v", "--verbose"),
            {"action": "store_true", "default": False, "help": i18n.t("cli.help_verbose", lang)},
        ),
        (("--lang",), {"choices": i18n.LANGUAGES, "help": i18n.t("cli.help_lang", lang)}),
        (
            ("-c", "--set"),
            {
                "dest": "overrides",
                "action": "append",
                "default": [],
                "type": _key_value,
                "metavar": "KEY=VALUE",
                "help": i18n.t("cli.help_set", lang),
            },
        ),
    ]
    for flags, settings in options:
        if set(flags) & set(parser._option_string_actions):
            continue
        dest = settings.pop("dest", flags[-1].lstrip("-"))
        if nested:
            settings["default"] = argparse.SUPPRESS
        parser.add_argument(*flags, dest=prefix + dest, **settings)


def _add_to_subcommands(parser: argparse.ArgumentParser, lang: str) -> None:
    """The global options on every subcommand, at every level (``config show``)."""
    for action in parser._actions:
        choices = action.choices if isinstance(action.choices, dict) else {}
        for sub in choices.values():
            _add_global_options(sub, lang, nested=True)
            _add_to_subcommands(sub, lang)


def prepare(argv: list[str]) -> tuple[argparse.Namespace, config.Config]:
    """Parse the command line, start logging, and load and check the configuration.

    Exits 2 on bad usage, as argparse does. Never touches Tk: for the window it runs on a
    worker thread while Tk starts.
    """
    import logging

    from helper import config, logs
    from helper.commands import problems

    parser = build_parser(_early_language(argv), _requested_command(argv), argv)
    args = parser.parse_args(argv)
    verbose = args.verbose or getattr(args, "sub_verbose", False)
    logs.setup(verbose=verbose)
    overrides = [*args.overrides, *getattr(args, "sub_overrides", [])]
    lang = getattr(args, "sub_lang", None) or args.lang
    if lang:
        overrides.append(("ui.language", lang))
    cfg = config.load(cli=overrides)
    logs.secret_filter.add(cfg.secrets())
    logs.set_level(cfg["logging.level"])
    problems.add_owned_problems(cfg)
    logging.getLogger(__name__).info(
        "intellekta-helper %s: %s", __version__, args.command or "window"
    )
    return args, cfg


def _prepare_beside_tk(argv: list[str]) -> tuple[argparse.Namespace, config.Config]:
    """:func:`prepare`, and importing the window, on a thread while Tk starts."""
    try:
        from helper.ui.tk import boot
    except ImportError:  # a Python without Tk: the window reports that itself
        return prepare(argv)

    def work() -> tuple[argparse.Namespace, config.Config]:
        args, cfg = prepare(argv)
        from helper.ui.tk import main as window

        window.preload(cfg)
        return args, cfg

    return boot.load_alongside(work)


def _reader_gone(exc: BaseException) -> bool:
    """Whether writing failed because whoever read the output has stopped. Windows says
    so with EINVAL on a write to a pipe whose reader closed, not with EPIPE."""
    if isinstance(exc, BrokenPipeError):
        return True
    import errno

    if sys.platform != "win32" or not isinstance(exc, OSError):
        return False
    return exc.errno == errno.EINVAL and not exc.filename


def _discard_stdout() -> None:
    """Point stdout at the null device, so the final flush at exit cannot fail again."""
    if sys.stdout is None:
        return
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _print_json_error(code: str, message: str, **extra: Any) -> None:
    """What a ``--json`` command prints on stdout when it cannot give its usual answer, so
    a script always gets JSON: ``{"error": {"code", "message", ...}}``."""
    import json

    error = {"code": code, "message": message, **extra}
    print(json.dumps({"error": error}, indent=2, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only_prints = {"-h", "--help", "--version"} & set(argv)
    opens_window = _requested_command(argv) in (None, "gui") and not only_prints
    wants_json = False
    try:
        args, cfg = _prepare_beside_tk(argv) if opens_window else prepare(argv)
        wants_json = bool(getattr(args, "json", False))
        if args.command is None:  # no command opens the window, exactly like ``gui``
            from helper.commands import gui

            return int(gui.run(args, cfg))
        if not cfg.valid and not getattr(args, "runs_on_invalid_config", False):
            explained = cfg.explained()
            print(explained, file=sys.stderr)
            if wants_json:
                problems = [p.render(cfg.language) for p in cfg.problems]
                _print_json_error("configuration", explained, problems=problems)
            return ExitCode.CONFIG
        return int(args.run(args, cfg))
    except KeyboardInterrupt:
        from helper import i18n

        message = i18n.t("cli.interrupted", _early_language(argv))
        print("\n" + message, file=sys.stderr)
        if wants_json:
            _print_json_error("interrupted", message)
        return ExitCode.DECLINED
    except Exception as exc:
        if _reader_gone(exc):  # a pager or ``head`` had read enough: stop quietly
            _discard_stdout()
            return ExitCode.OK
        import logging

        from helper import i18n, logs

        logging.getLogger(__name__).exception("Unexpected error")
        log_file = str(logs.log_file() or "-")
        message = i18n.t("cli.unexpected", _early_language(argv), log=log_file)
        print(message, file=sys.stderr)
        if wants_json:
            _print_json_error("unexpected", message, log=log_file)
        return ExitCode.UNEXPECTED
