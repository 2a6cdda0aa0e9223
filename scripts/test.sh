#!/usr/bin/env bash
# Sets up everything the tests need (idempotent) and runs every check and test.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "test environment"
scripts/setup-test-env.sh
export PATH="$PWD/.venv/bin:$PATH"

step "generated files are current"
python3 scripts/gen-east-asian-width.py --check

step "formatting and lints"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

step "Rust tests (unit, integration against moto and the Bot Framework stand-ins, AWS CLI parity)"
rm -rf target/card-samples
cargo test --all-targets --locked
cargo test --doc --locked

step "Teams manifest and Adaptive Cards (schema validation, rendering)"
scripts/check-js.sh

step "Dockerfile build steps"
scripts/docker-build-steps.sh
