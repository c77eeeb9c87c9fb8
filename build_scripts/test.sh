#!/usr/bin/env bash
# Install everything the tests need and run them: lint, type check, then pytest.
# Usage: bash build_scripts/test.sh [pytest arguments]
# Works on a fresh Debian/Ubuntu machine (uses sudo for apt-get when not root).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Xvfb for real Tk windows, xdotool to drive them, tmux for the terminal
# flow, python3-tk / python3-venv where Python comes from Debian, msitools/wixl and
# osslsigncode for the MSI and signing checks.
packages=(xvfb xauth xdotool x11-utils tmux msitools wixl osslsigncode fonts-dejavu-core)
python3 -c 'import tkinter' 2>/dev/null || packages+=(python3-tk)
python3 -c 'import ensurepip' 2>/dev/null || packages+=(python3-venv)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,build]'

echo "== ruff"
.venv/bin/ruff check helper tests benchmarks build_scripts
.venv/bin/ruff format --check helper tests benchmarks build_scripts
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass." >&2
    exit 1
fi
exit $rc
