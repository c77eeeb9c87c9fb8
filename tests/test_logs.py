"""The log file: rotated when a run starts, never more than ``BACKUPS`` old files kept."""

from __future__ import annotations

import logging

from helper import logs
from tests.conftest import Home


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
        handler.close()


def test_a_large_log_is_rotated_when_a_run_starts(home: Home) -> None:
    home.logs.mkdir(parents=True, exist_ok=True)
    current = home.logs / "intellekta-helper.log"
    current.write_text("x" * logs.MAX_BYTES, "utf-8")
    for n in range(1, logs.BACKUPS + 1):
        (home.logs / f"intellekta-helper.log.{n}").write_text(f"old {n}", "utf-8")
    logs.setup()
    logging.getLogger("test").warning("first line of the new run")
    _flush()
    assert "first line of the new run" in current.read_text("utf-8")
    assert (home.logs / "intellekta-helper.log.1").stat().st_size == logs.MAX_BYTES
    assert (home.logs / "intellekta-helper.log.2").read_text("utf-8") == "old 1"
    assert (home.logs / "intellekta-helper.log.3").read_text("utf-8") == "old 2"
    assert not (home.logs / "intellekta-helper.log.4").exists()


def test_a_small_log_is_continued(home: Home) -> None:
    home.logs.mkdir(parents=True, exist_ok=True)
    current = home.logs / "intellekta-helper.log"
    current.write_text("earlier run\n", "utf-8")
    logs.setup()
    logging.getLogger("test").warning("later run")
    _flush()
    assert current.read_text("utf-8").splitlines()[0] == "earlier run"
    assert not (home.logs / "intellekta-helper.log.1").exists()
