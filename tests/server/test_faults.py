"""Faults answer as faults: a full disk, a database locked past its timeout and a database
that is gone answer ``503`` with ``Retry-After`` (problem+json from the API, a plain page
in the console), never a 500; the real helper keeps its confirmation and delivers it
once the fault is gone.

Real faults against real server processes: SQLite on a small tmpfs that is filled,
another connection holding SQLite's write lock, PostgreSQL reached through a relay that
is switched off (:mod:`tests.server.tcp_relay`).
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import sqlite3
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from django.db import connection, utils as db_errors
from django.db.utils import DatabaseErrorWrapper

from helper import apps
from helper.exitcodes import ExitCode
from intake_server import faults
from tests.conftest import run_cli
from tests.server.conftest import (
    ServerProcess,
    Tls,
    intake_env,
    run_intake,
)
from tests.server.mounts import fill, tmpfs
from tests.server.posting import send
from tests.server.records import real_record
from tests.server.tcp_relay import Relay

pytestmark = pytest.mark.skipif("sys.platform != 'linux'")
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set on the test machine must not carry loopback traffic."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def assert_unavailable(answer: tuple[int, dict[str, str], bytes], log: str = "") -> None:
    status, headers, body = answer
    assert status == 503, f"{status} {body[:300]!r}\n--- server log ---\n{log}"
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["retry-after"]) > 0
    problem = json.loads(body)
    assert problem["status"] == 503 and problem["type"].endswith(":unavailable")
    assert problem["detail"]


class Helper:
    """The real helper, pointed at ``server``, with a data folder of its own. It leaves
    every program of its catalogue alone: what runs on the test machine (a browser of
    another test) must not change the questions it asks."""

    def __init__(self, server: ServerProcess, data_dir: Path) -> None:
        catalogue = tomllib.loads((Path(apps.__file__).parent / "catalogue.toml").read_text())
        ignored = ",".join(rule["id"] for rule in catalogue["rules"])
        self.args = [
            *server.helper_settings(),
            "-c",
            f"paths.data_dir={data_dir}",
            "-c",
            "intake.send_window_s=2",
            "-c",
            f"apps.ignore={ignored}",
            "--lang",
            "en",
        ]

    def confirm(self, exit_code: int) -> None:
        """A customer confirms Session ID 1 234 567 890."""
        done = run_cli(
            *self.args, "-c", "customer.number=10472", "confirm", input="1 234 567 890\nyes\n1\n"
        )
        assert done.returncode == exit_code, done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr

    def send(self) -> None:
        """``outbox send``: everything is delivered."""
        done = run_cli(*self.args, "outbox", "send")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr


def assert_ledger_intact(env: dict[str, str], entries: int) -> None:
    verified = run_intake("verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"Ledger intact: {entries} entries" in verified.stdout


# -- what is a fault ----------------------------------------------------------------------


def _as_django_raises(call: Callable[[], object]) -> BaseException:
    """What ``call`` raises, wrapped by Django's own wrapper of a driver's errors (as
    every query through Django is) where it is psycopg's."""
    driver = SimpleNamespace(Database=psycopg, errors_occurred=False)
    try:
        with DatabaseErrorWrapper(driver):
            call()
    except Exception as exc:
        return exc
    raise AssertionError("nothing was raised")


@pytest.mark.django_db(transaction=True)
def test_sqlite_faults_are_told_from_errors_of_a_request() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own result codes (PostgreSQL's: the database-down test)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        connection.connection.execute("PRAGMA busy_timeout = 50")
        locked = _as_django_raises(lambda: connection.cursor().execute("BEGIN IMMEDIATE"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    missing = _as_django_raises(lambda: connection.cursor().execute("SELECT * FROM nowhere"))
    assert "database is locked" in str(locked) and faults.is_fault(locked)
    assert "no such table" in str(missing) and not faults.is_fault(missing)
    assert not faults.is_fault(OverflowError("date value out of range"))


def test_postgres_faults_are_told_from_errors_of_a_request(postgres_database: str) -> None:
    gone = _as_django_raises(lambda: psycopg.connect("postgresql://x@127.0.0.1:9/x"))
    assert faults.is_fault(gone), repr(gone)
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute("CREATE TABLE t (v text)")
        db.execute("CREATE INDEX ON t (v)")
        nul = _as_django_raises(lambda: db.execute("INSERT INTO t VALUES (%s)", ["a\0b"]))
        # Class 54, "program limit exceeded": the record's size, not the database's fault.
        huge = "SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g"
        too_large = _as_django_raises(lambda: db.execute(f"INSERT INTO t {huge}"))
    assert isinstance(nul, db_errors.DataError) and not faults.is_fault(nul)
    assert isinstance(too_large, db_errors.OperationalError), repr(too_large)
    assert not faults.is_fault(too_large)


# -- disk full ----------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "small", size="16m") as folder:
        yield folder


def _truncate_wal(database: Path) -> None:
    """Give the WAL's space back, so that the next write needs new space on the disk
    (SQLite reuses a WAL file's space without asking the file system for more)."""
    with sqlite3.connect(database) as db:
        for _attempt in range(50):
            busy, _log, _done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            time.sleep(0.1)
    raise AssertionError("the WAL could not be truncated")


def test_a_full_disk_answers_503_and_the_helper_delivers_afterwards(
    tmp_path: Path, small_disk: Path, server_tls: Tls
) -> None:
    database = small_disk / "intake.sqlite3"
    env = intake_env(tmp_path / "data", f"sqlite:///{database}")  # the log stays off it
    server = ServerProcess(env, server_tls).start()
    try:
        assert send(server, real_record(session_id="1000000001"))[0] == 201
        _truncate_wal(database)
        filler = fill(small_disk)

        assert_unavailable(send(server, real_record(session_id="1000000002")), server.log_text())
        helper = Helper(server, tmp_path / "helper")
        helper.confirm(ExitCode.PENDING)
        assert "database or disk is full" in server.log_text()

        filler.unlink()
        assert send(server, real_record(session_id="1000000003"))[0] == 201
        helper.send()
        assert_ledger_intact(env, 3)
        assert "Internal Server Error" not in server.log_text()
    finally:
        server.stop()


def test_verify_on_a_full_disk_still_reports_the_damage_it_cannot_record(
    tmp_path: Path, small_disk: Path, server_tls: Tls
) -> None:
    database = small_disk / "intake.sqlite3"
    env = intake_env(tmp_path / "data", f"sqlite:///{database}")
    server = ServerProcess(env, server_tls).start()
    try:
        for session_id in ("1000000001", "1000000002"):
            assert send(server, real_record(session_id=session_id))[0] == 201
        with sqlite3.connect(database) as db:
            db.execute("UPDATE api_confirmation SET session_id = '1000000009' WHERE seq = 2")
        _truncate_wal(database)
        filler = fill(small_disk)
        done = run_intake("verify", env=env)
        filler.unlink()
    finally:
        server.stop()
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("ledger entry 2 "), done.stdout
    assert "could not be recorded (database or disk is full)" in done.stderr, done.stderr


# -- SQLite locked past its timeout -------------------------------------------------------


def test_a_database_locked_past_its_timeout_answers_503(tmp_path: Path, server_tls: Tls) -> None:
    """Another connection holds SQLite's write lock longer than the server's busy timeout
    (30 s, ``settings.DATABASES``), as a stuck maintenance job would."""
    database = tmp_path / "intake.sqlite3"
    env = intake_env(tmp_path / "data", f"sqlite:///{database}")
    server = ServerProcess(env, server_tls).start()
    try:
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            assert_unavailable(
                send(server, real_record(session_id="1000000001")), server.log_text()
            )
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert "database is locked" in server.log_text()
        assert "Internal Server Error" not in server.log_text()
        assert send(server, real_record(session_id="1000000002"))[0] == 201
        assert_ledger_intact(env, 1)
    finally:
        server.stop()


# -- the database is gone -----------------------------------------------------------------


class Browser:
    """Cookies and CSRF as a browser keeps them, over HTTPS to ``server``."""

    def __init__(self, server: ServerProcess) -> None:
        assert server.tls is not None
        self.base = server.base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=server.tls.client_context()),
            urllib.request.HTTPCookieProcessor(self.cookies),
        )

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self._open(urllib.request.Request(self.base + path))

    def sign_in(self, user: str) -> tuple[int, dict[str, str], str]:
        _status, _headers, page = self.get("/sign-in")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page
        form = {"csrfmiddlewaretoken": token[1], "username": user, "password": PASSWORD}
        return self._open(
            urllib.request.Request(
                self.base + "/sign-in",
                data=urllib.parse.urlencode(form).encode(),
                headers={"Referer": self.base + "/sign-in"},
            )
        )

    def upload(self, path: str, size: int) -> tuple[int, dict[str, str], str]:
        """A multipart form with a file of ``size`` bytes, as the customer import takes."""
        file = b"number;company\n" + b"x" * size
        body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="crm.csv"\r\n\r\n'
        body += file + b"\r\n--b--\r\n"
        headers = {"Content-Type": "multipart/form-data; boundary=b", "Referer": self.base + path}
        return self._open(urllib.request.Request(self.base + path, data=body, headers=headers))

    def _open(self, request: urllib.request.Request) -> tuple[int, dict[str, str], str]:
        request.add_header("Accept-Language", "en")
        try:
            with self.opener.open(request, timeout=60) as answer:
                status, headers, body = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        return status, {k.lower(): v for k, v in headers.items()}, body.decode()


def assert_unavailable_page(answer: tuple[int, dict[str, str], str], log: str) -> None:
    status, headers, page = answer
    assert status == 503, f"{status}\n{page[:500]}\n--- server log ---\n{log}"
    assert headers["content-type"].startswith("text/html")
    assert int(headers["retry-after"]) > 0
    assert "Temporarily unavailable" in page and "Traceback" not in page


def test_a_database_that_is_gone_answers_503_and_the_helper_delivers_afterwards(
    tmp_path: Path, relayed_postgres: tuple[str, Relay], server_tls: Tls
) -> None:
    url, relay = relayed_postgres
    env = intake_env(tmp_path / "data", url)
    server = ServerProcess(env, server_tls).start()
    try:
        added = run_intake("user", "add", "anna", "--admin", env=env, input=PASSWORD + "\n")
        assert added.returncode == 0
        console = Browser(server)
        assert console.sign_in("anna")[0] == 200  # the queue, after the redirect
        assert send(server, real_record(session_id="1000000001"))[0] == 201

        relay.stop()
        german = send(server, real_record(session_id="1000000002"))  # in the record's language
        assert_unavailable(german, server.log_text())
        assert "Bestätigungen gerade nicht speichern" in json.loads(german[2])["detail"]
        english = send(server, real_record(session_id="1000000003", language="en"))
        assert_unavailable(english)
        assert "cannot store confirmations" in json.loads(english[2])["detail"]
        helper = Helper(server, tmp_path / "helper")
        helper.confirm(ExitCode.PENDING)
        # The console: a signed-in page (the session is read in a middleware) and a sign-in
        # (in the view) both meet the fault.
        assert_unavailable_page(console.get("/"), server.log_text())
        assert_unavailable_page(Browser(server).sign_in("anna"), server.log_text())
        # An administrator's upload larger than the API's limit: the server asks the
        # database whose session it is before it reads the body.
        assert_unavailable_page(console.upload("/customers/import", 100_000), server.log_text())

        relay.start()
        assert send(server, real_record(session_id="1000000004"))[0] == 201
        helper.send()
        assert console.get("/")[0] == 200
        assert_ledger_intact(env, 3)
        assert "Internal Server Error" not in server.log_text()
    finally:
        server.stop()
