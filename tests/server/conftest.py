"""Fixtures for the intake server: its database, real server processes, real records.

In-process tests use Django's test client through pytest-django (``client``, ``db``).
Process tests start ``intellekta-intake serve`` for real (:class:`ServerProcess`), with
HTTPS from a trustme CA and either a SQLite file or a fresh PostgreSQL database.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import trustme
from django.core.management import call_command

from tests.conftest import REPO
from tests.server.browser_fixtures import browser, shots  # noqa: F401  (offered to every test)

if TYPE_CHECKING:
    from tests.server.tcp_relay import Relay

POSTGRES_URL = os.environ.get(
    "INTELLEKTA_TEST_POSTGRES_URL", "postgresql://intake:intake@127.0.0.1:54329/intake"
)
URL_PATH = "/api/v1/remote-support/confirmations"


def postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def need_postgres() -> None:
    """Skip without PostgreSQL, except in CI (CI=true), where that is a failure."""
    if postgres_reachable():
        return
    message = f"no PostgreSQL at {POSTGRES_URL} (build_scripts/test.sh starts one)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def fresh_postgres_database(prefix: str = "intake_t") -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database on :data:`POSTGRES_URL`'s server,
    dropped afterwards (for the tests and the benchmarks)."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _slash, _old = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        _drop_database(name)


def _drop_database(name: str, attempts: int = 5) -> None:
    """DROP ... WITH (FORCE), again if a last connection of a stopped server was still
    being taken down (ObjectInUse), or if autovacuum was at work in it, which a role
    without pg_signal_backend may not end (InsufficientPrivilege): it is soon done."""
    import psycopg

    for attempt in range(attempts):
        try:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.ObjectInUse, psycopg.errors.InsufficientPrivilege):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


@pytest.fixture
def postgres_database() -> Iterator[str]:
    need_postgres()
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each process test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'intake.sqlite3'}"
    return str(request.getfixturevalue("postgres_database"))


@pytest.fixture(autouse=True)
def _forget_known_notices() -> None:
    """Each test's database starts empty, so the process's memory of texts must too."""
    from intake_server.api import notices

    notices._KNOWN.clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with no request counted: the in-process tests of one worker all
    come from one address, and together send more than a minute's limit."""
    from django.conf import settings
    from django.core.cache import caches

    caches[settings.RATELIMIT_USE_CACHE].clear()


@pytest.fixture
def batch_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each batch the group commit stores in this process, in order."""
    from intake_server.api import ledger

    sizes: list[int] = []
    store = ledger._store

    def counted(batch: list[Any]) -> Any:
        sizes.append(len(batch))
        return store(batch)

    monkeypatch.setattr(ledger, "_store", counted)
    return sizes


@pytest.fixture
def builtin_notices(db: None) -> None:
    """The helper's built-in texts, as ``migrate`` registers them (tests that flush the
    database after each test lose them)."""
    from intake_server.api import notices

    notices.register("")


@dataclass(frozen=True)
class Tls:
    ca_pem: Path
    cert_pem: Path
    key_pem: Path

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_pem))


def make_server_tls(folder: Path) -> Tls:
    """A trustme CA and a certificate for 127.0.0.1 and localhost, as PEM files."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    tls = Tls(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    ca.cert_pem.write_to_path(str(tls.ca_pem))
    cert.private_key_pem.write_to_path(str(tls.key_pem))
    cert.cert_chain_pems[0].write_to_path(str(tls.cert_pem))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(tls.cert_pem), append=True)
    return tls


@pytest.fixture(scope="session")
def server_tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_server_tls(tmp_path_factory.mktemp("server-tls"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def intake_env(data_dir: Path, database_url: str, **settings: str) -> dict[str, str]:
    """A clean environment for an intake command: no INTELLEKTA_INTAKE_* from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTELLEKTA_INTAKE_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        INTELLEKTA_INTAKE_DATA_DIR=str(data_dir), INTELLEKTA_INTAKE_DATABASE_URL=database_url
    )
    env.update({f"INTELLEKTA_INTAKE_{k.upper()}": v for k, v in settings.items()})
    return env


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_intake(
    *args: str, env: dict[str, str], input: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m intake_server ARGS`` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "intake_server", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
        check=False,
    )


@dataclass
class ServerProcess:
    """``intellekta-intake serve`` on 127.0.0.1, HTTPS unless ``tls`` is None."""

    env: dict[str, str]
    tls: Tls | None
    workers: int = 2
    #: More ``serve`` options, e.g. ``("--threads", "4", "--no-purge")``.
    options: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base + URL_PATH

    def helper_settings(self) -> list[str]:
        """``-c`` arguments that point the real helper here."""
        args = ["-c", f"intake.url={self.url}"]
        if self.tls:
            args += ["-c", f"intake.ca_bundle={self.tls.ca_pem}"]
        return args

    def start(self) -> ServerProcess:
        args = ["serve", "--port", str(self.port), "--workers", str(self.workers), *self.options]
        if self.tls:
            args += ["--certfile", str(self.tls.cert_pem), "--keyfile", str(self.tls.key_pem)]
        self.log = Path(self.env["INTELLEKTA_INTAKE_DATA_DIR"]) / f"serve-{self.port}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "intake_server", *args],
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()  # a server that never became ready is not left running
            raise
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        context = self.tls.client_context() if self.tls else None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.log_text()}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", context=context, timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"serve did not become ready: {self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def serve(tmp_path: Path, database_url: str, server_tls: Tls) -> Iterator[ServerProcess]:
    """One real HTTPS server process on the database of ``database_url``."""
    server = ServerProcess(intake_env(tmp_path / "intake-data", database_url), server_tls)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def relayed_postgres(postgres_database: str) -> Iterator[tuple[str, Relay]]:
    """``postgres_database`` reached through a relay: (its URL through the relay, relay)."""
    from tests.server.tcp_relay import Relay  # it uses free_port from here

    target = urllib.parse.urlsplit(POSTGRES_URL)
    relay = Relay((target.hostname or "127.0.0.1", target.port or 5432)).start()
    parts = urllib.parse.urlsplit(postgres_database)
    netloc = f"{parts.username}:{parts.password}@127.0.0.1:{relay.port}"
    try:
        yield parts._replace(netloc=netloc).geturl(), relay
    finally:
        relay.stop()


def shared_database_url() -> str:
    """The URL of the database these tests use, for a command run as its own process."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
