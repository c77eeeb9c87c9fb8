"""Benchmark: the intake server's throughput and latency for new confirmations and replays.

Not a test: it prints figures. Targets: at least 200 new confirmations/s on each
database and a p99 of at most 150 ms, with 32 concurrent keep-alive clients.

    .venv/bin/python benchmarks/intake_bench.py [--db sqlite|postgres|both] [--seconds 10]
        [--connections 32] [--workers 2] [--threads 8] [--tls] [--sweep]

Per database it starts ``python -m intake_server serve`` as the product runs it, on a
fresh data folder and a fresh database (a SQLite file, or a new PostgreSQL database on
``INTELLEKTA_TEST_POSTGRES_URL``, dropped afterwards), with the rate limits off and
``DJANGO_SETTINGS_MODULE=benchmarks.intake_floor_settings``: the product's settings plus
``POST /floor``, which answers 201 without the schema or the database. Then, with wrk:

- new:    every request a different real confirmation (tests.server.records.real_record,
          exactly as the helper sends it), each body used once; then ``verify``, and the
          stored rows are counted: at least the 201 answers, at most one more per
          connection (wrk stops with requests in flight that the server still stores);
- replay: the same stored confirmations again, same key and body (answered 200);
- floor:  the same load on ``/floor``: what the stack costs without our own work.

Besides req/s and latency it prints the CPU time of the server's processes per answer,
which stays fair when other programs load the machine (it warns when they do).
``--sweep`` runs only the new phase for several ``--workers``/``--threads`` pairs.
Needs wrk (``apt-get install wrk``); every server started is stopped and every database
dropped, also on Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.server.conftest import (  # noqa: E402
    URL_PATH,
    ServerProcess,
    Tls,
    fresh_postgres_database,
    intake_env,
    make_server_tls,
)
from tests.server.records import real_record  # noqa: E402

FLOOR_PATH = "/floor"
FLOOR_SETTINGS = "benchmarks.intake_floor_settings"
TARGET_RATE = 200.0  # new confirmations per second, on each database
TARGET_P99_MS = 150.0
SWEEP_WORKERS = (2, 3, 4)
SWEEP_THREADS = (1, 2, 4, 8, 16)
WRK_INSTALL = "apt-get install -y wrk  (Debian/Ubuntu; brew install wrk on macOS)"

# One wrk thread state per wrk thread: it takes every n-th line of the pool file, so no
# two threads send the same body, and counts the answers by status for done().
LUA = r"""
local counter = 0
local threads = {}
local keys, bodies = {}, {}
local n, i = 0, 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  local nthreads = tonumber(args[3])
  local lineno = 0
  for line in io.lines(args[2]) do
    if lineno % nthreads == tid then
      local tab = line:find("\t", 1, true)
      keys[#keys + 1] = '"' .. line:sub(1, tab - 1) .. '"'
      bodies[#bodies + 1] = line:sub(tab + 1)
    end
    lineno = lineno + 1
  end
  n = #bodies
  path = (mode == "floor") and "FLOOR_PATH" or "URL_PATH"
  s201, s200, sother, used, exhausted, bad = 0, 0, 0, 0, 0, ""
end

function request()
  if i >= n and mode == "new" and exhausted == 0 then
    exhausted = 1  -- each body only once: stop this thread, the rest would be replays
    wrk.thread:stop()
  end
  local k = (i % n) + 1
  i = i + 1
  used = i
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = keys[k]}
  return wrk.format("POST", path, headers, bodies[k])
end

function response(status, headers, body)
  if status == 201 then s201 = s201 + 1
  elseif status == 200 then s200 = s200 + 1
  else
    sother = sother + 1
    if bad == "" then bad = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  local t = {s201 = 0, s200 = 0, sother = 0, used = 0, exhausted = 0}
  local bad_all = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do t[name] = t[name] + (thread:get(name) or 0) end
    local b = thread:get("bad")
    if b and b ~= "" and bad_all == "" then bad_all = b end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d connect=%d read=%d " ..
    "write=%d timeout=%d s201=%d s200=%d sother=%d used=%d exhausted=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout, t.s201, t.s200, t.sother, t.used,
    t.exhausted))
  if bad_all ~= "" then
    io.write("BENCH_BAD " .. string.gsub(bad_all, "\n", " ") .. "\n")
  end
end
"""


@dataclass
class Load:
    """One wrk run, from the line its done() prints."""

    phase: str
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    non2xx: int = 0
    socket_errors: int = 0
    created: int = 0  # 201
    replayed: int = 0  # 200
    used: int = 0  # bodies taken from the pool
    exhausted: int = 0  # wrk threads that ran out of new bodies
    bad: str = ""  # the first non-2xx answer
    cpu_ms: float = 0.0  # the server's CPU time per answer (its processes, not the database's)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # printed loudly; exit 1

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        wrong = self.created if self.phase == "replay" else 0  # a replay must never store
        wrong += self.replayed if self.phase == "new" else 0  # a new body must store
        return self.non2xx + self.socket_errors + wrong

    def verdict(self) -> str:
        if self.phase != "new":
            return ""
        met = self.rate >= TARGET_RATE and self.p99_ms <= TARGET_P99_MS and not self.errors
        return "PASS" if met else "MISS"


def need_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        sys.exit(f"intake_bench: wrk is not installed. Install it: {WRK_INSTALL}")
    return found


def write_pool(path: Path, count: int, start: int) -> None:
    """``count`` real confirmations, one ``submission_id<TAB>body`` per line."""
    with path.open("wb") as out:
        for number in range(start, start + count):
            built = real_record(session_id=str(1_000_000_000 + number))
            assert b"\n" not in built.payload and b"\t" not in built.payload
            out.write(built.submission_id.encode() + b"\t" + built.payload + b"\n")


def stored_ids(database_url: str) -> list[str]:
    """The submission ids the server stored, in ledger order (read directly)."""
    query = "SELECT submission_id FROM api_confirmation ORDER BY seq"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return [row[0] for row in conn.execute(query)]
    import psycopg

    with psycopg.connect(database_url) as conn:
        return [row[0] for row in conn.execute(query)]


class Server(ServerProcess):
    """The test suite's ``serve`` process, plus the CPU time its processes used."""

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes (master and workers) so far."""
        import psutil

        assert self.process is not None
        root = psutil.Process(self.process.pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total


_BENCH_LINE = re.compile(r"^BENCH (.*)$", re.M)


def run_wrk(
    wrk: str,
    lua: Path,
    base: str,
    phase: str,
    pool: Path,
    seconds: int,
    connections: int,
    wrk_threads: int,
) -> Load:
    mode = "floor" if phase == "floor" else phase
    command = [
        wrk,
        f"-t{wrk_threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(lua),
        base,
        "--",
        mode,
        str(pool),
        str(wrk_threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = _BENCH_LINE.search(done.stdout)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    values = {k: int(v) for k, v in (item.split("=") for item in found[1].split())}
    bad = re.search(r"^BENCH_BAD (.*)$", done.stdout, re.M)
    return Load(
        phase=phase,
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        non2xx=values["non2xx"],
        socket_errors=values["connect"] + values["read"] + values["write"] + values["timeout"],
        created=values["s201"],
        replayed=values["s200"],
        used=values["used"],
        exhausted=values["exhausted"],
        bad=bad[1] if bad else "",
    )


@dataclass
class Setup:
    wrk: str
    lua: Path
    warm_pool: Path
    new_pool: Path
    folder: Path
    args: argparse.Namespace
    tls: Tls | None


def bench_database(
    setup: Setup, database: str, workers: int, threads: int, phases: tuple[str, ...]
) -> list[Load]:
    """Start one server on a fresh database and run ``phases`` against it."""
    args = setup.args
    with database_url(database, setup.folder) as (url, data_dir):
        env = intake_env(data_dir, url, rate_limit_address="off", rate_limit_token="off")
        env["DJANGO_SETTINGS_MODULE"] = args.settings
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        # --no-purge: the daily purge's first run (a minute after start) stays out of it.
        server = Server(env, setup.tls, workers, ("--threads", str(threads), "--no-purge"))
        try:
            server.start()
            return run_phases(setup, server, url, env, phases)
        finally:
            server.stop()
            if args.keep_logs:
                shutil.copy(server.log, Path(args.keep_logs) / f"serve-{database}.log")


@contextmanager
def database_url(database: str, folder: Path) -> Iterator[tuple[str, Path]]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"{database}-", dir=folder))
    try:
        if database == "sqlite":
            yield f"sqlite:///{data_dir / 'intake.sqlite3'}", data_dir
        else:
            with fresh_postgres_database("intake_bench") as url:
                yield url, data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def settle(url: str, timeout: float = 60) -> list[str]:
    """The stored ids once the server has finished what wrk left in flight at its stop."""
    ids, quiet, deadline = stored_ids(url), 0, time.monotonic() + timeout
    while quiet < 4 and time.monotonic() < deadline:
        time.sleep(0.25)
        again = stored_ids(url)
        quiet = quiet + 1 if len(again) == len(ids) else 0
        ids = again
    return ids


def run_phases(
    setup: Setup, server: Server, url: str, env: dict[str, str], phases: tuple[str, ...]
) -> list[Load]:
    args = setup.args

    def load(phase: str, pool: Path, seconds: int) -> Load:
        cpu = server.cpu_seconds()
        result = run_wrk(
            setup.wrk,
            setup.lua,
            server.base,
            phase,
            pool,
            seconds,
            args.connections,
            args.wrk_threads,
        )
        time.sleep(0.5)  # let the server answer what was in flight before the next phase
        result.cpu_ms = (server.cpu_seconds() - cpu) * 1000 / max(1, result.requests)
        return result

    # Warm-up: every worker imports, compiles the schema and opens its connection.
    load("floor", setup.warm_pool, 1)
    load("new", setup.warm_pool, args.warmup)
    before = len(settle(url))
    new = load("new", setup.new_pool, args.seconds)
    if new.exhausted:
        new.problems.append(
            f"the pool of new bodies ran out in {new.exhausted} wrk thread(s): raise --max-rate"
        )
    ids = settle(url)
    check_ledger(new, env, ids, before, args.connections)
    results = [new]
    if "replay" in phases:
        results.append(load("replay", replay_pool(setup, set(ids)), args.seconds))
    if "floor" in phases:
        results.append(load("floor", setup.new_pool, args.seconds))
    for result in results:
        check_answers(result)
    return results


def check_ledger(
    new: Load, env: dict[str, str], ids: list[str], before: int, connections: int
) -> None:
    """Note on ``new`` what the ledger holds after its phase, or the problem: as many rows
    as it answered 201 (plus what was in flight), and ``verify`` finds them intact.
    ``before``: the rows stored by the warm-up."""
    # wrk stops with up to one request per connection in flight: the server stores it,
    # wrk never counts its answer. So: 201 answers <= new rows <= requests wrk made.
    rows = len(ids) - before
    in_flight = rows - new.created
    if not 0 <= in_flight <= min(connections, new.used - new.created):
        new.problems.append(
            f"{rows} new rows stored, but {new.created} answers were 201 "
            f"and wrk made {new.used} requests"
        )
    checked, said = verified_entries(env)
    if checked != len(ids):
        new.problems.append(f"verify: {said}")
    else:
        new.notes.append(
            f"verify: ledger intact, {checked} entries; {rows} rows stored "
            f"= {new.created} answered 201 + {in_flight} in flight at wrk's stop "
            f"(+ {before} from the warm-up)"
        )


def verified_entries(env: dict[str, str]) -> tuple[int | None, str]:
    """``intellekta-intake verify`` on the server's database: how many entries it found
    intact (None when it did not), and what it said."""
    verified = subprocess.run(
        [sys.executable, "-m", "intake_server", "verify"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    checked = re.search(r"(\d+) entries checked", verified.stdout)
    said = (verified.stdout + verified.stderr).strip()
    if verified.returncode != 0 or checked is None:
        return None, said
    return int(checked[1]), said


def replay_pool(setup: Setup, stored: set[str]) -> Path:
    """The new pool's bodies that the server stored: each replay must be answered 200."""
    path = setup.folder / "replay.pool"
    with setup.new_pool.open("rb") as source, path.open("wb") as out:
        out.writelines(line for line in source if line.split(b"\t", 1)[0].decode() in stored)
    return path


def check_answers(result: Load) -> None:
    """Name on ``result`` every answer its phase should not have had."""
    if result.non2xx:
        result.problems.append(f"{result.non2xx} non-2xx answers, first: {result.bad}")
    if result.socket_errors:
        result.problems.append(f"{result.socket_errors} socket errors or timeouts")
    if result.phase == "new" and result.replayed:
        result.problems.append(f"{result.replayed} new bodies were answered 200 (replay)")
    if result.phase == "replay" and result.created:
        result.problems.append(f"{result.created} replays were stored anew (201)")


def print_table(rows: list[tuple[str, Load]], title: str) -> None:
    print(f"\n{title}")
    header = f"{'database':<11} {'phase':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
    header += f"{'errors':>7} {'cpu ms/req':>10}"
    print(header + f"  target (>= {TARGET_RATE:.0f}/s, p99 <= {TARGET_P99_MS:.0f} ms)")
    for name, r in rows:
        print(
            f"{name:<11} {r.phase:<7} {r.rate:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} "
            f"{r.errors:>7} {r.cpu_ms:>10.2f}  {r.verdict()}"
        )
    print(
        "cpu ms/req: CPU time of the intake server's processes per answer (not the "
        "database server's, not wrk's)"
    )
    for name, r in rows:
        for note in r.notes:
            print(f"   {name} {r.phase}: {note}")
        for problem in r.problems:
            print(f"!! {name} {r.phase}: ERROR: {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=10, help="per phase (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of new posts first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk's threads (default 1)")
    parser.add_argument(
        "--max-rate",
        type=int,
        default=1000,
        help="new bodies generated per second of a phase (default 1000)",
    )
    parser.add_argument("--tls", action="store_true", help="HTTPS with a trustme certificate")
    parser.add_argument(
        "--sweep", action="store_true", help="new phase only, for workers 2,3,4 x threads 1-16"
    )
    parser.add_argument(
        "--settings",
        default=FLOOR_SETTINGS,
        help="Django settings to serve (a module that star-imports "
        f"{FLOOR_SETTINGS}, to try a change without editing intake_server)",
    )
    parser.add_argument("--in", dest="folder", default=None, help="folder for the data")
    parser.add_argument("--keep-logs", default="", help="copy the server logs to this folder")
    args = parser.parse_args()
    wrk = need_wrk()
    # kill (SIGTERM) cleans up like Ctrl+C: servers stopped, databases dropped.
    signal.signal(signal.SIGTERM, lambda _signo, _frame: sys.exit(143))
    busy = os.getloadavg()[0]
    if busy > 0.5:
        print(
            f"!! load average {busy:.1f} before the run: other programs use the CPUs, so "
            "the figures are low; cpu ms/req is the fairer one then"
        )
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    with tempfile.TemporaryDirectory(prefix="intake-bench-", dir=args.folder) as name:
        folder = Path(name)
        lua = folder / "intake.lua"
        lua.write_text(LUA.replace("FLOOR_PATH", FLOOR_PATH).replace("URL_PATH", URL_PATH))
        started = time.perf_counter()
        warm_pool, new_pool = folder / "warm.pool", folder / "new.pool"
        write_pool(warm_pool, int(args.warmup * args.max_rate) + 1, 0)
        write_pool(new_pool, int(args.seconds * args.max_rate), 10_000_000)
        print(
            f"generated {int((args.warmup + args.seconds) * args.max_rate)} real "
            f"confirmations in {time.perf_counter() - started:.1f} s"
        )
        setup = Setup(
            wrk,
            lua,
            warm_pool,
            new_pool,
            folder,
            args,
            make_server_tls(folder) if args.tls else None,
        )
        scheme = "https" if args.tls else "http"
        print(
            f"{os.cpu_count()} CPUs, {args.connections} keep-alive connections, "
            f"{args.seconds:g} s per phase, {scheme}, data in {folder}"
        )
        if args.sweep:
            rows = []
            combinations = itertools.product(databases, SWEEP_WORKERS, SWEEP_THREADS)
            for database, workers, threads in combinations:
                (new,) = bench_database(setup, database, workers, threads, ("new",))
                rows.append((f"{database[:2]} {workers}x{threads}", new))
                print(
                    f"  {database} workers={workers} threads={threads}: {new.rate:.1f}/s "
                    f"p50 {new.p50_ms:.1f} ms p99 {new.p99_ms:.1f} ms",
                    flush=True,
                )
            print_table(rows, "new confirmations by workers x threads")
            return 0
        rows = []
        for database in databases:
            for result in bench_database(
                setup, database, args.workers, args.threads, ("new", "replay", "floor")
            ):
                rows.append((database, result))
        title = f"workers={args.workers} threads={args.threads}, load average {busy:.1f} before"
        print_table(rows, f"{title}, {os.getloadavg()[0]:.1f} after")
    failed = any(r.verdict() == "MISS" or r.errors or r.problems for _name, r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("\nintake_bench: interrupted; every server was stopped.", file=sys.stderr)
        raise SystemExit(130) from None
