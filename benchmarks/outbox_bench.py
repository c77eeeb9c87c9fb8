"""Benchmark: flush 1,000 pending records to a loopback HTTPS server (target: <= 5 s).

Not a test: it prints figures. ``.venv/bin/python benchmarks/outbox_bench.py``
(``--in /dev/shm`` puts the data folder in memory, to separate disk cost from the rest).

It uses the intake test server (tests/intake/server.py, trustme CA) in this process and
the real outbox, so each record costs what it costs in the field: per record one HTTPS
POST on a reused connection, two new files (receipt JSON and text) and three fsyncs. The
server counts TLS connections, which shows that the connection is reused.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from helper import config  # noqa: E402
from helper.intake import Outbox, send_pending  # noqa: E402
from tests.intake.records import sample_record  # noqa: E402
from tests.intake.server import IntakeServer, make_tls  # noqa: E402

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--in", dest="folder", default=None, help="folder for the data")
    args = parser.parse_args()
    for name in _PROXY_VARIABLES:
        os.environ.pop(name, None)
        os.environ.pop(name.upper(), None)
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        data_dir = Path(folder) / "data"
        with IntakeServer(make_tls(Path(folder))) as server:
            cfg = config.load(cli=[*server.settings(), ("paths.data_dir", str(data_dir))], env={})
            outbox = Outbox(data_dir)
            started = time.perf_counter()
            for _ in range(args.records):
                sample = sample_record(extra=400)
                outbox.add(sample.payload, sample.submission_id, sample.session_id)
            added = time.perf_counter() - started

            started = time.perf_counter()
            summary = send_pending(cfg, outbox)
            flushed = time.perf_counter() - started

            assert len(summary.delivered) == args.records and summary.pending == 0
            assert len(server.stored) == args.records
            connections = server.connections
    each = 1000 / args.records
    print(f"data folder:          {args.folder or tempfile.gettempdir()}")
    print(f"records:              {args.records}")
    print(f"add (durable):        {added:.2f} s  ({added * each:.2f} ms each)")
    print(f"flush:                {flushed:.2f} s  ({flushed * each:.2f} ms each)")
    print(f"flush target <= 5 s:  {'met' if flushed <= 5 else 'missed'}")
    print(f"TLS connections used: {connections}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
