"""Hypothesis feeds random TOML documents and values: always exit 0 or 2, never a traceback."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helper import cli, config
from helper.config import SETTINGS
from tests.conftest import Home

SECTIONS = [*sorted({s.section for s in SETTINGS}), "locked", "other"]
NAMES = [*sorted({s.name for s in SETTINGS}), "x", "url2"]

scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    st.sampled_from(["https://a.example/x", "http://127.0.0.1:1/", "de", "auto", "/etc/passwd"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NAMES), inner, max_size=3)
    ),
    max_leaves=6,
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


documents = st.dictionaries(
    st.sampled_from(SECTIONS),
    st.one_of(values, st.dictionaries(st.sampled_from(NAMES), values, max_size=4)),
    max_size=4,
)


def render(doc: dict[str, Any]) -> str:
    lines = [f"{k} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for section, body in doc.items():
        if isinstance(body, dict):
            lines.append(f"[{section}]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


def run_check(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["config", "check"])
    out, err = capsys.readouterr()
    assert code in (0, 2), (code, out, err)
    assert "Traceback" not in out + err
    assert (code == 0) == ("The configuration is valid." in out)
    if code == 2:
        assert err.strip()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents)
def test_random_documents(
    home: Home, capsys: pytest.CaptureFixture[str], doc: dict[str, Any]
) -> None:
    home.write_machine(render(doc))
    run_check(capsys)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_random_text(home: Home, capsys: pytest.CaptureFixture[str], text: str) -> None:
    home.write_user(text)
    run_check(capsys)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from([s.key for s in SETTINGS] + ["bogus.key"]), text=st.text(max_size=40))
def test_random_values_from_environment_and_command_line(key: str, text: str) -> None:
    setting = config.BY_KEY.get(key)
    env = {setting.env_var: text} if setting else {}
    cfg = config.load(cli=[(key, text)], env=env)
    for problem in cfg.problems:
        assert problem.render("de") and problem.render("en")
