#!/usr/bin/env bash
# Memory benchmark of the bot: does RSS stay bounded under hostile and heavy traffic?
# Starts the release bot against the loopback Microsoft stand-ins (bench/standins.rs) and a
# moto server seeded with CloudWatch alarms, with an [access] configuration that lets the
# stand-ins' channel run reads, then drives it with bench/memory.py:
#   (a) FUZZ fuzzed activities (random types, texts, sizes, nested JSON, invalid commands,
#       help for random services), CONCURRENCY at a time
#   (b) READS sequential `cloudwatch describe-alarms` whose output is about 200 KB
#   (c) `<service> help` for every service
# and prints peak RSS, VmHWM and RSS at rest (after REST seconds idle) for each phase.
#
#   bench/memory.sh
#   FUZZ=2000 READS=20 bench/memory.sh         # a quick run
#   PHASES=reads bench/memory.sh                # one phase on a fresh bot (also: fuzz, help,
#                                               # preads = the reads CONCURRENCY at a time)
#
# Environment variables reach the bot, so allocator settings can be compared without a rebuild
# (MALLOC_ARENA_MAX=2 bench/memory.sh). SKIP_BUILD=1 uses the binaries already built.
# BOT_WRAPPER runs the bot under a command that starts it as a child, e.g. a heap profiler built
# without jemalloc: BOT_WRAPPER="heaptrack -o /tmp/fuzz" (the bot's own pid is sampled).
# BOT_STOP_SIGNAL=KILL stops the bot with that signal once the last phase is at rest and waits
# for the wrapper, so that heaptrack lists what was still allocated at rest as leaked.
# Needs moto_server (.venv/bin or PATH) and python3 with boto3. Everything runs on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ="${FUZZ:-20000}"
READS="${READS:-200}"
CONCURRENCY="${CONCURRENCY:-8}"
ALARMS="${ALARMS:-120}"
REST="${REST:-10}"
PHASES="${PHASES:-fuzz,reads,help}"
PORT="${PORT:-39790}"
MOTO_PORT="${MOTO_PORT:-39791}"

moto_server=.venv/bin/moto_server
[[ -x "$moto_server" ]] || moto_server=moto_server
python=python3
command -v "$python" >/dev/null || { echo "python3 is needed" >&2; exit 1; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  cargo build --release --locked --quiet --bin aws-chatops --example bench-standins
fi
target="${CARGO_TARGET_DIR:-target}"
# BOT_BIN / STANDINS_BIN: measure other builds (e.g. a copy of an earlier binary).
bot="${BOT_BIN:-$target/release/aws-chatops}"
standins="${STANDINS_BIN:-$target/release/examples/bench-standins}"

# shellcheck source=bench/start-bot.sh
source bench/start-bot.sh
work="$(mktemp -d)"
trap 'stop_started; rm -rf "$work"' EXIT

"$moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$work/moto.log" 2>&1 &
moto_pid=$!
start_standins "$standins"
moto_ready() { curl -fs "http://127.0.0.1:$MOTO_PORT/moto-api/" >/dev/null 2>&1; }
both_ready() { standins_ready && moto_ready; }
poll 299 both_ready || true
load_standins_env

# The stand-ins' channel may run reads in moto's default account, as its channel role.
cat >"$work/config.toml" <<EOF
[access]
default_region = "us-east-1"
[access.audit]
destination = "file"
path = "$work/audit.jsonl"
[access.accounts.bench]
id = "123456789012"
channel_role = "arn:aws:iam::123456789012:role/chatops-readonly"
[access.channels.ops]
tenant_id = "$MicrosoftAppTenantId"
channel_id = "19:ops-channel@thread.tacv2"
accounts = ["bench"]
guardrails = ["ReadOnly"]
EOF

PORT="$PORT" AWS_CHATOPS_BIND_ADDRESS=127.0.0.1 RUST_LOG="${RUST_LOG:-info}" \
  AWS_CHATOPS_STORE="$work/store.redb" \
  AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_MAX_ATTEMPTS=1 AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  ${BOT_WRAPPER:-} "$bot" --config "$work/config.toml" serve >"$work/server.log" 2>&1 &
server_pid=$!
wait_bot_ready
bot_pid=$server_pid
if [[ -n "${BOT_WRAPPER:-}" ]]; then
  # The wrapper's command line carries the bot's arguments too; the bot is the newer process.
  bot_pid="$(pgrep -n -f -- "--config $work/config.toml serve")"
fi

"$python" bench/memory.py --pid "$bot_pid" --port "$PORT" --log "$work/server.log" --audit "$work/audit.jsonl" \
  --body "$BENCH_BODY" --auth "$BENCH_AUTH" --moto "http://127.0.0.1:$MOTO_PORT" \
  --models data/models --fuzz "$FUZZ" --reads "$READS" --concurrency "$CONCURRENCY" \
  --alarms "$ALARMS" --rest "$REST" --phases "$PHASES"

if [[ -n "${BOT_STOP_SIGNAL:-}" ]]; then
  kill -"$BOT_STOP_SIGNAL" "$bot_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
fi

echo "audit records: $(grep -c . "$work/audit.jsonl" 2>/dev/null || echo 0)"
echo "machine: $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -n "${KEEP_LOG:-}" ]] && cp "$work/server.log" "$KEEP_LOG"
exit 0
