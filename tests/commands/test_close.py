"""``intellekta-helper close`` as a real subprocess: it scans, asks, waits and reports.

The application is a real Tk program run as ``ikclosetest`` (process name and argv[0]),
made a catalogue application through ``apps.extra`` in the test's own user file. A
built-in name such as ``thunderbird`` would work the same, but other tests running on
the same machine start programs with those names, and the command would rightly wait
for theirs too.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from helper import i18n
from helper.apps import catalogue
from tests.apps.close_fixtures import Programs
from tests.conftest import Home, run_cli

NAME = "ikclosetest"
RULE = f"""[[apps.extra]]
id = "close_test"
name = "Close Test"
category = "notes"
linux = ["{NAME}"]
"""

Test = TypeVar("Test", bound=Callable[..., None])


def on_x11(test: Test) -> Test:
    """Marks a test that needs the session's Xvfb, so Linux only."""
    linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 backend")
    return pytest.mark.gui(linux_only(test))


@pytest.fixture
def programs(tmp_path: Path, home: Home) -> Iterator[Programs]:
    home.write_user(RULE)
    started = Programs(tmp_path / "bin")
    try:
        yield started
    finally:
        started.cleanup()


@on_x11
def test_closes_the_application_and_prints_json(programs: Programs) -> None:
    program = programs.start("close", name=NAME)

    done = run_cli("close", "close_test", "--json")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"results": [{"id": "close_test", "status": "closed"}]}
    assert "Close Test was asked to close" in done.stderr  # progress while waiting
    assert program.proc.wait(timeout=60) == 0


@on_x11
def test_an_application_asking_to_save_means_exit_3(programs: Programs) -> None:
    program = programs.start("refuse", name=NAME)

    done = run_cli("close", "close_test", "--timeout", "0.5")

    assert done.returncode == 3
    assert "Close Test is still open" in done.stdout
    assert "switch to Close Test" in done.stdout
    assert program.alive()
    assert program.asked() == 1


@on_x11
def test_the_outcome_in_german(programs: Programs) -> None:
    programs.start("nowindow", name=NAME)

    done = run_cli("--lang", "de", "close", "close_test")

    assert done.returncode == 3
    assert done.stdout.strip() == i18n.t("close.manual.no_window", "de", name="Close Test")


@on_x11
def test_a_kept_open_application_is_not_asked(programs: Programs, home: Home) -> None:
    home.write_user(RULE + '\n[apps]\nkeep_open = ["close_test"]\n')
    program = programs.start("refuse", name=NAME)

    done = run_cli("close", "close_test", "--json")

    assert done.returncode == 3
    assert json.loads(done.stdout)["results"] == [{"id": "close_test", "status": "kept_open"}]
    assert program.asked() == 0


@on_x11
def test_an_unknown_id_lists_the_detected_ones(programs: Programs) -> None:
    program = programs.start("refuse", name=NAME)

    done = run_cli("close", "close_test", "no_such_app")

    assert done.returncode == 2
    assert "no_such_app" in done.stderr
    assert "close_test" in done.stderr.splitlines()[-1]
    assert program.asked() == 0  # nothing is closed when one id is wrong


@on_x11
def test_the_name_as_scan_shows_it_is_accepted_too(programs: Programs) -> None:
    program = programs.start("close", name=NAME)

    done = run_cli("close", "close test", "close_test", "--json")  # any case; once each

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"results": [{"id": "close_test", "status": "closed"}]}
    assert program.proc.wait(timeout=60) == 0


@on_x11
def test_an_unknown_id_with_json_is_still_json(programs: Programs) -> None:
    program = programs.start("refuse", name=NAME)

    done = run_cli("close", "no_such_app", "--json")

    assert done.returncode == 2
    answer = json.loads(done.stdout)
    assert answer["results"] == []
    error = answer["error"]
    assert error["code"] == "unknown_id" and error["unknown"] == ["no_such_app"]
    assert {"id": "close_test", "name": "Close Test"} in error["detected"]
    assert "-m helper scan" in error["message"]  # where the ids are, named as started
    assert program.asked() == 0


def nothing_but_ours(home: Home) -> None:
    """A user file whose only catalogue application is ours: hermetic, no X11 needed."""
    every_builtin = json.dumps([rule.id for rule in catalogue.builtin().rules])
    home.write_user(f"{RULE}\n[apps]\nignore = {every_builtin}\n")


def test_an_unknown_id_when_nothing_runs(home: Home) -> None:
    nothing_but_ours(home)
    done = run_cli("close", "close_test")

    assert done.returncode == 2
    assert i18n.t("close.none_detected", "en") in done.stderr

    as_json = run_cli("close", "close_test", "--json")
    assert as_json.returncode == 2
    error = json.loads(as_json.stdout)["error"]
    assert error["code"] == "unknown_id"
    assert (error["unknown"], error["detected"]) == (["close_test"], [])


def test_an_invalid_configuration_with_json_is_json(home: Home) -> None:
    home.write_user("[apps]\nclose_timeout_s = -5\n")

    done = run_cli("close", "close_test", "--json")

    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "configuration"
    assert len(error["problems"]) == 1 and "apps.close_timeout_s" in error["problems"][0]
    assert "apps.close_timeout_s" in done.stderr  # the person at the terminal reads it too


@pytest.mark.parametrize("value", ["-1", "soon", "nan"])
def test_a_bad_timeout_is_a_usage_error(value: str) -> None:
    done = run_cli("close", "close_test", "--timeout", value)

    assert done.returncode == 2
    assert "--timeout" in done.stderr


def test_the_failure_advice_has_its_messages() -> None:
    assert {"close.manual.failed", "close.denied.failed"} <= set(i18n.catalogue("en"))
