#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs
# formatting, lint and every test. Used by .ci/run and documented in the README.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== python test environment (.venv: moto + cbor2 for the CloudWatch tests)"
# Reused across runs; rebuilt when the pinned requirements change.
req=tests/support/requirements.txt
constraints=tests/support/constraints.txt
stamp=.venv/.requirements.sha256
want=$(cat "$req" "$constraints" | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r "$req" -c "$constraints"
  echo "$want" > "$stamp"
fi
export REDSHIFT_COST_TEST_PYTHON="$PWD/.venv/bin/python"

echo "== chromium (the browser test of the HTML report)"
# Installed through the OS package manager when absent (Debian/Ubuntu: apt).
if [ -z "${REDSHIFT_COST_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 \
  && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q chromium >/dev/null 2>&1 \
      || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; } \
      || echo "could not install chromium; the browser test fails under CI=true"
  else
    echo "no apt-get: install Chromium and set REDSHIFT_COST_TEST_CHROMIUM"
  fi
fi

echo "== rustfmt"
cargo fmt --all --check

echo "== clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== tests (unit, CLI, benches once in test mode)"
cargo test --workspace --locked --all-targets
