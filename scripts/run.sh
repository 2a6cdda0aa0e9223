#!/usr/bin/env bash
# Builds the bot in release mode and serves it on the embedded default store (nothing else to
# install). The bot identity comes from the environment (MicrosoftAppId, MicrosoftAppPassword,
# MicrosoftAppTenantId, ...) or from a config file given with --config / AWS_CHATOPS_CONFIG.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin aws-chatops
exec target/release/aws-chatops serve "$@"
