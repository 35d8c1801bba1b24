#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs
# formatting, lint and every test. Used by .ci/run and documented in the README.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== rustfmt"
cargo fmt --check

echo "== clippy"
cargo clippy --all-targets --locked -- -D warnings

echo "== tests (unit, CLI, benches once in test mode)"
cargo test --locked --all-targets
