"""``intellekta-intake``: the server's one command line.

The configuration is loaded and checked before Django starts, so an invalid one stops
every command with exit 2 and a message naming the file, key and what was expected.
Each command is a Django management command in ``api/management/commands`` (the tests,
cron and systemd call the same code); only the commands listed here are offered. Their
exit codes are :class:`intake_server.exitcodes.ExitCode`.
"""

from __future__ import annotations

import os
import sys
import tempfile

from intake_server import __version__, conf
from intake_server.exitcodes import ExitCode

COMMANDS = {
    "serve": "Apply migrations, then serve the API (HTTPS with --certfile/--keyfile).",
    "migrate": "Create or update the database tables.",
    "check": "Check the configuration and the database.",
    "find": "Find confirmations by Session ID, receipt id or customer number.",
    "evidence": "Everything that proves one confirmation, as text, JSON or PDF.",
    "export": "Confirmations of a date range as CSV or JSON Lines.",
    "purge": "Delete records older than retention_days.",
    "notice": "Register notice texts (add FILE) or list them.",
    "token": "Create, list or revoke customer tokens.",
    "customer": "The customer register: add, edit, list, import FILE.csv.",
    "verify": "Recompute the ledger's hash chain.",
    "user": "Console accounts: add NAME [--admin] (password from a prompt), list, unlock.",
}

USAGE = """usage: intellekta-intake [--config FILE] COMMAND [options]

intellekta's intake server for the confirmations that intellekta-helper sends.

commands:
{commands}

options:
  --config FILE   the TOML configuration file (else INTELLEKTA_INTAKE_CONFIG)
  --version       print the version
  -h, --help      this help; COMMAND --help for a command's options
"""


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = "\n".join(f"  {name:<{width}}  {text}" for name, text in COMMANDS.items())
    return USAGE.format(commands=lines)


def _split(argv: list[str]) -> tuple[str | None, list[str]] | int:
    """``(config path, [command, *args])``, or an exit code after printing help/errors."""
    path = None
    args = list(argv)
    while args and args[0].startswith("-"):
        option = args.pop(0)
        if option in ("-h", "--help"):
            print(_usage())
            return ExitCode.OK
        if option == "--version":
            print(f"intellekta-intake {__version__}")
            return ExitCode.OK
        if option == "--config" and args:
            path = args.pop(0)
        elif option.startswith("--config="):
            path = option.split("=", 1)[1]
        else:
            print(f"intellekta-intake: unknown option {option}\n\n{_usage()}", file=sys.stderr)
            return ExitCode.USAGE
    if not args:
        print(_usage(), file=sys.stderr)
        return ExitCode.USAGE
    if args[0] not in COMMANDS:
        print(f"intellekta-intake: unknown command {args[0]!r}.\n\n{_usage()}", file=sys.stderr)
        return ExitCode.USAGE
    return path, args


def _unwritable_folder(config: conf.ServerConfig) -> str | None:
    """One sentence naming the first folder the server must write to and cannot: the
    data folder (secret key, metrics, by default the SQLite database) and the folder of
    a SQLite database named in ``database_url``. Checked before Django starts, which
    creates them: a read-only or missing folder is then explained, not a traceback."""
    folders = [("data folder", config.data_dir, "set data_dir to another one")]
    if not config.is_postgres and config["database_url"]:
        folders.append(
            (
                "folder of the SQLite database",
                config.sqlite_path.parent,
                "point database_url to another one",
            )
        )
    for name, folder, otherwise in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tempfile.TemporaryFile(dir=folder).close()
        except OSError as exc:
            return (
                f"cannot write to the {name} {folder} ({exc.strerror or exc}); give "
                f"the service user write access to it, or {otherwise}."
            )
    return None


def main(argv: list[str] | None = None) -> int:
    split = _split(sys.argv[1:] if argv is None else argv)
    if isinstance(split, int):
        return split
    path, args = split
    config = _checked(path)
    if isinstance(config, int):
        return config
    _prepare_environment(path, args, config)
    return _run(args)


def _checked(path: str | None) -> conf.ServerConfig | int:
    """The configuration, once the server can run with it (Django installed, its folders
    writable); else an exit code after saying what to do."""
    try:
        config = conf.load(path)
    except conf.ConfigError as exc:
        print("intellekta-intake: the configuration cannot be used:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        print("Correct it, then run: intellekta-intake check", file=sys.stderr)
        return ExitCode.USAGE
    try:
        import django.core.management  # noqa: F401  (only to know the server extra is there)
    except ImportError:
        print(
            "intellekta-intake needs the server extra: in the repository, run "
            "pip install '.[server]'",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    unwritable = _unwritable_folder(config)
    if unwritable:
        print(f"intellekta-intake: {unwritable}", file=sys.stderr)
        return ExitCode.DATABASE
    return config


def _prepare_environment(path: str | None, args: list[str], config: conf.ServerConfig) -> None:
    """What Django's settings and ``serve`` read from the environment: the settings
    module, the configuration file, and for ``serve`` where its workers keep metrics
    and whether it speaks HTTPS."""
    if path:
        os.environ[conf.ENV_CONFIG_FILE] = os.path.abspath(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intake_server.settings")
    if args[0] == "serve":
        # This process becomes the server's master: its workers count into its folder.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(config.data_dir / "metrics" / str(os.getpid()))
        if "--certfile" in args or any(a.startswith("--certfile=") for a in args):
            os.environ["INTELLEKTA_SERVE_TLS"] = "1"  # Secure cookies and HSTS


def _run(args: list[str]) -> int:
    """Start Django and run the command ``args``; its exit code."""
    import django
    from django.core.management import ManagementUtility

    try:
        django.setup()
    except conf.ConfigError as exc:  # the secret key or password file cannot be read
        print("intellekta-intake: " + " ".join(exc.problems), file=sys.stderr)
        return ExitCode.USAGE
    try:
        ManagementUtility(["intellekta-intake", *args]).execute()
    except SystemExit as exc:
        if isinstance(exc.code, int):
            return exc.code
        return ExitCode.OK if exc.code is None else ExitCode.FAILED
    return ExitCode.OK
