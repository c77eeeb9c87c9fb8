import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import connections

from helper.config.values import is_loopback_host
from intake_server import __version__, database, serve
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.exitcodes import ExitCode


class Command(IntakeCommand):
    help = "Apply migrations on first start, then serve the API and the console."
    needs_tables = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
        parser.add_argument("--threads", type=int, default=8, help="threads per process")
        parser.add_argument("--certfile", default="", help="PEM certificate chain: serve HTTPS")
        parser.add_argument("--keyfile", default="", help="PEM private key for --certfile")
        parser.add_argument(
            "--no-purge", action="store_true", help="no daily purge here (a timer runs it)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        certfile, keyfile = options["certfile"], options["keyfile"]
        if bool(certfile) != bool(keyfile):
            raise CommandError("--certfile and --keyfile go together.", returncode=ExitCode.USAGE)
        for name in (certfile, keyfile):
            if name and not os.access(name, os.R_OK):
                raise CommandError(f"cannot read {name}.", returncode=ExitCode.USAGE)
        if not 1 <= options["workers"] <= 64 or not 1 <= options["threads"] <= 256:
            raise CommandError(
                "--workers is 1 to 64 and --threads 1 to 256.", returncode=ExitCode.USAGE
            )
        host = options["host"]
        if not certfile and not is_loopback_host(host):
            serve.log.warning(
                "Serving plain HTTP on %s. Put a TLS reverse proxy in front "
                "(see docs/intake-server.md), or give --certfile and --keyfile.",
                host,
            )
        database.migrate(verbosity=0)
        connections.close_all()  # each worker opens its own
        scheme = "https" if certfile else "http"
        serve.log.info(
            "intellekta-intake %s serving on %s://%s:%s/",
            __version__,
            scheme,
            host,
            options["port"],
        )
        metrics = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR", settings.DATA_DIR / "metrics"))
        code = serve.run(
            host,
            options["port"],
            options["workers"],
            options["threads"],
            certfile,
            keyfile,
            metrics,
            settings.CONFIG["read_timeout_s"],
            settings.CONFIG["verify_interval_minutes"] * 60,
            purge=not options["no_purge"],
        )
        if code:
            raise CommandError(
                "a server process ended unexpectedly; see the log above.",
                returncode=ExitCode.FAILED,
            )
