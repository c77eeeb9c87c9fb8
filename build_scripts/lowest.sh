#!/usr/bin/env bash
# Install the LOWEST versions pyproject.toml allows for its direct dependencies (the
# helper's, and the server and test extras') into their own venv, .venv-lowest, so that
# the quick tests can run on them: a lower bound that does not hold fails here, not on an
# administrator's machine that happens to have that version.
# Usage: bash build_scripts/lowest.sh (needs .venv, as build_scripts/test.sh makes it),
# then the quick run (README, "Quick start") with .venv-lowest/bin/python instead of
# .venv/bin/python. build_scripts/test.sh does both.
set -euo pipefail
cd "$(dirname "$0")/.."

.venv/bin/python -m pip install -q uv
# Made anew each time: installing into an old venv would keep what satisfies the bounds,
# not what they name. uv's cache makes this take seconds. Compiled as pip compiles: where
# Python writes no bytecode itself (PYTHONDONTWRITEBYTECODE), every server process the
# tests start would otherwise compile Django afresh, and the timing tests would measure that.
rm -rf .venv-lowest
python3 -m venv --without-pip .venv-lowest
.venv/bin/uv pip install -q --python .venv-lowest/bin/python --resolution lowest-direct \
    --compile-bytecode -e '.[test,server]'
