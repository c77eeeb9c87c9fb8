"""The command line as an administrator meets it: without a command, with an unknown one,
before ``migrate``, without its configuration file or its database, it explains itself
instead of a traceback; and a data folder that cannot be made or written stops every
command with one sentence naming the folder and exit 3.

Real folders that cannot be written even by root (who ignores mode bits): a path under
``/dev/null`` or under a regular file, and a tmpfs remounted read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_server.exitcodes import ExitCode
from tests.server.conftest import free_port, intake_env, run_intake
from tests.server.mounts import read_only, tmpfs


def assert_refused(env: dict[str, str], folder: Path) -> None:
    for command in (("serve", "--port", str(free_port())), ("check",), ("verify",)):
        result = run_intake(*command, env=env, timeout=60)
        said = result.stderr.strip()
        assert result.returncode == ExitCode.DATABASE, f"{command}: {result.returncode}\n{said}"
        assert "Traceback" not in said and len(said.splitlines()) == 1, said
        assert said.startswith("intellekta-intake: cannot write to the ") and str(folder) in said


@pytest.mark.parametrize("under", ["/dev/null", "a regular file"])
def test_a_data_folder_that_cannot_be_made(tmp_path: Path, under: str) -> None:
    parent = Path(under) if under.startswith("/") else tmp_path / "file"
    if not under.startswith("/"):
        parent.write_text("not a folder\n")
    folder = parent / "intake"
    assert_refused(intake_env(folder, ""), folder)


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "ro", size="1m") as folder:
        (folder / "data").mkdir()
        read_only(folder)
        yield folder


def test_a_data_folder_on_a_read_only_file_system(read_only_disk: Path) -> None:
    for folder in (read_only_disk / "data", read_only_disk / "missing"):
        assert_refused(intake_env(folder, ""), folder)


def test_the_sqlite_databases_folder_on_a_read_only_file_system(
    tmp_path: Path, read_only_disk: Path
) -> None:
    database = read_only_disk / "data" / "intake.sqlite3"
    assert_refused(intake_env(tmp_path / "data", f"sqlite:///{database}"), database.parent)


def test_the_command_line_explains_itself(tmp_path: Path) -> None:
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    bare = run_intake(env=env)
    assert bare.returncode == 2 and "commands:" in bare.stderr
    unknown = run_intake("frobnicate", env=env)
    assert unknown.returncode == 2 and "unknown command 'frobnicate'" in unknown.stderr
    unmigrated = run_intake("find", "123456789", env=env)
    assert unmigrated.returncode == 3 and "intellekta-intake migrate" in unmigrated.stderr
    missing = run_intake("--config", str(tmp_path / "nope.toml"), "check", env=env)
    assert missing.returncode == 2 and "nope.toml" in missing.stderr
    offline = run_intake(
        "check",
        env={**env, "INTELLEKTA_INTAKE_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"},
    )
    assert offline.returncode == 3 and "database_url" in offline.stderr
    for result in (bare, unknown, unmigrated, missing, offline):
        assert "Traceback" not in result.stderr
    assert run_intake("migrate", env=env).returncode == 0
    assert run_intake("verify", env=env).stdout.startswith("Ledger intact: 0 entries")
