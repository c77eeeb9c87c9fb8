"""The installer's machine-wide configuration file, written the way the MSI writes it,
then read by the real loader from the machine configuration folder."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from build_scripts import machine_config
from helper import config
from tests.conftest import Home


def _write(home: Home, *args: str) -> int:
    return machine_config.main(["write", str(home.machine_config / "config.toml"), *args])


def test_properties_become_locked_machine_settings(home: Home) -> None:
    company = 'customer.company=Müller & Söhne "Nord" GmbH'
    rc = _write(
        home,
        "intake.url=https://intake.example/api",
        "customer.number=",
        company,
        "ui.language=de",
        "LOCK=1",
    )
    assert rc == 0
    cfg = config.load(cli=[("customer.company", "Other")])
    assert cfg.valid, cfg.report()
    assert cfg["intake.url"] == "https://intake.example/api"
    assert cfg["customer.company"] == 'Müller & Söhne "Nord" GmbH'
    assert cfg.entries["customer.company"].locked
    assert cfg.entries["customer.number"].source.kind == "vendor" or not cfg["customer.number"]
    assert [i.key for i in cfg.ignored] == ["customer.company"]


def test_existing_file_is_merged_not_replaced(home: Home) -> None:
    home.write_machine(
        'locked = ["apps.keep_open"]\n[apps]\nkeep_open = ["erp"]\n'
        '[[apps.extra]]\nid = "x"\nname = "X"\n'
    )
    assert _write(home, "customer.number=4711", "LOCK=1") == 0
    document = tomllib.loads((home.machine_config / "config.toml").read_text("utf-8"))
    assert document["apps"]["keep_open"] == ["erp"]
    assert document["apps"]["extra"] == [{"id": "x", "name": "X"}]
    assert document["customer"]["number"] == "4711"
    assert document["locked"] == ["apps.keep_open", "customer.number"]


def test_bad_value_fails_and_keeps_the_old_file(home: Home) -> None:
    old = home.write_machine('[customer]\nnumber = "1"\n')
    before = old.read_bytes()
    assert _write(home, "intake.url=http://intake.example/") == 2
    assert old.read_bytes() == before
    reason = (home.machine_config / "install-error.txt").read_text("utf-8")
    assert "intake.url" in reason and "https" in reason
    assert _write(home, "ui.language=fr") == 2
    assert _write(home, "intake.nonsense=1") == 2


def test_no_values_writes_nothing(home: Home) -> None:
    assert _write(home, "intake.url=", "LOCK=") == 0
    assert not (home.machine_config / "config.toml").exists()


def test_remove_deletes_only_on_request(home: Home) -> None:
    path = home.write_machine('[customer]\nnumber = "1"\n')
    assert machine_config.main(["remove", str(path)]) == 0
    assert not path.exists()
    assert machine_config.main(["remove", str(path)]) == 0  # already gone: fine
    assert machine_config.main(["unknown", str(path)]) == 2


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
scalars = st.one_of(texts, st.booleans(), st.integers(-(2**40), 2**40), st.lists(texts, max_size=4))


@given(
    st.dictionaries(
        st.from_regex(r"[a-z_]{1,10}", fullmatch=True),
        st.dictionaries(texts, scalars, max_size=4),
        max_size=4,
    )
)
def test_toml_writer_round_trips(document: dict[str, dict[str, object]]) -> None:
    document.pop("locked", None)
    assert tomllib.loads(machine_config.dumps(document)) == document


def test_unknown_type_is_refused() -> None:
    with pytest.raises(TypeError):
        machine_config.toml_value(object())


def test_unwritable_place_fails_cleanly(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert machine_config.main(["write", str(blocker / "config.toml"), "customer.number=1"]) == 2


def test_no_temporary_files_are_left(home: Home) -> None:
    assert _write(home, "customer.number=1") == 0
    assert [p.name for p in home.machine_config.iterdir()] == ["config.toml"]
