#!/usr/bin/env bash
# Install everything the tests need and run them: lint, type check, then pytest.
# Usage: bash build_scripts/test.sh [pytest arguments]
# Works on a fresh Debian/Ubuntu machine (as root, or with sudo for apt-get).
#
# pytest runs three times: everything (the intake server's in-process tests on SQLite, its
# process tests on SQLite and PostgreSQL; the quick run's tests on two workers, the rest
# one at a time), then the server's in-process tests again on PostgreSQL (two workers),
# then the quick run on the lowest versions pyproject.toml declares (lowest.sh). With
# pytest arguments, only pytest with those arguments runs.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export INTELLEKTA_TEST_POSTGRES_URL="${INTELLEKTA_TEST_POSTGRES_URL:-postgresql://intake:intake@127.0.0.1:54329/intake}"

# System packages: Xvfb for real Tk windows, xdotool to drive them, tmux for the terminal
# flow, python3-tk / python3-venv where Python comes from Debian, msitools/wixl and
# osslsigncode for the MSI and signing checks, PostgreSQL for the intake server and
# Chromium for its console's browser tests (Playwright drives /usr/bin/chromium), jq for
# the evidence's "recompute by hand" lines, which a test runs as printed.
packages=(xvfb xauth xdotool x11-utils tmux msitools wixl osslsigncode fonts-dejavu-core
          postgresql chromium jq)
python3 -c 'import tkinter' 2>/dev/null || packages+=(python3-tk)
python3 -c 'import ensurepip' 2>/dev/null || packages+=(python3-venv)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,build,server]'

# A throwaway PostgreSQL cluster for the intake server's tests, unless one answers at
# INTELLEKTA_TEST_POSTGRES_URL already: its own cluster "intaketest" on port 54329.
postgres_answers() {
    .venv/bin/python -c 'import os, psycopg; psycopg.connect(os.environ["INTELLEKTA_TEST_POSTGRES_URL"], connect_timeout=3).close()' 2>/dev/null
}
if ! postgres_answers; then
    echo "== starting a throwaway PostgreSQL (cluster intaketest, port 54329)"
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version intaketest"; then
        $sudo pg_createcluster "$version" intaketest -p 54329 >/dev/null
    fi
    $sudo pg_ctlcluster "$version" intaketest start || true
    as_postgres() { $sudo su postgres -s /bin/sh -c "$1"; }
    as_postgres "psql -q -p 54329 -tAc \"SELECT 1 FROM pg_roles WHERE rolname='intake'\" | grep -q 1 || psql -q -p 54329 -c \"CREATE ROLE intake LOGIN CREATEDB PASSWORD 'intake'\""
    as_postgres "psql -q -p 54329 -tAc \"SELECT 1 FROM pg_database WHERE datname='intake'\" | grep -q 1 || createdb -p 54329 -O intake intake"
    postgres_answers || { echo "PostgreSQL did not start; see /var/log/postgresql/" >&2; exit 1; }
fi

echo "== ruff"
.venv/bin/ruff check helper intake_server tests benchmarks build_scripts
.venv/bin/ruff format --check helper intake_server tests benchmarks build_scripts
echo "== mypy"
.venv/bin/mypy

run_pytest() {  # the venv, then pytest's arguments
    local venv=$1
    shift
    set +e
    "$venv/bin/python" -m pytest "$@"
    local rc=$?
    set -e
    if [ $rc -eq 5 ]; then
        echo "pytest collected no tests: that is a failure, not a pass." >&2
        exit 1
    fi
    [ $rc -eq 0 ] || exit $rc
}
echo "== pytest"
if [ $# -gt 0 ]; then
    run_pytest .venv "$@"
else
    # Every test: the quick run's tests on two workers, then the slow ones, those with
    # windows or a browser (Xvfb is off under pytest-xdist) and those that see this user's
    # programs, one at a time. Together they are the whole suite.
    run_pytest .venv -m "not slow and not gui and not programs" -n 2
    run_pytest .venv -m "slow or gui or programs"
    echo "== pytest: the intake server's in-process tests on PostgreSQL"
    INTELLEKTA_TEST_DATABASE=postgres run_pytest .venv tests/server -m django_db -n 2
    echo "== pytest: the quick run on the lowest versions pyproject.toml declares"
    bash build_scripts/lowest.sh
    # The quick run (README, "Quick start"): no slow tests, no windows, no browser; on two
    # workers, except the tests that see this user's programs (tests/conftest.py).
    run_pytest .venv-lowest -m "not slow and not gui and not programs" -n 2
    run_pytest .venv-lowest -m "programs and not slow and not gui"
fi
