#!/usr/bin/env bash
# Load benchmark of notifications: signed SNS Notification envelopes (CloudWatch alarm JSON)
# POSTed to /api/sns, through verify -> route -> render -> the loopback Bot Connector.
#
#   bench/notifications.sh                    # without charts: 3,000 group chats over 100
#                                             # tenants, 30,000 notifications (5,000 warm-up)
#   CHARTS=1 bench/notifications.sh           # with charts: moto holds the metric data and
#                                             # each chat's channel role may read it
#   CONNECTIONS=16 CHATS=4000 bench/notifications.sh
#
# Each notification is a new alarm in its own chat's topic, so it posts one card (one Connector
# request). Chats get notifications round-robin, PER_CHAT (10) each over the whole run, so no
# chat passes the digest's 10 a minute; TENANTS (100) keeps each tenant far below Teams' 50/s
# and each chat far below 7/s: neither the digest nor the pacer is what is measured.
# Without charts the chats' guardrail (LambdaInvoke) has no cloudwatch:GetMetricData, so each
# card's chart is "unavailable" after the policy check (and its audit record); no AWS call.
#
# Builds the release binaries first unless SKIP_BUILD=1, then copies them aside (the target
# dir may be shared with other builds). Needs curl; CHARTS=1 needs moto_server and aws
# (.venv/bin or PATH). Everything runs on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS="${CONNECTIONS:-8}"
CHARTS="${CHARTS:-0}"
export TENANTS="${TENANTS:-100}"
export CHATS="${CHATS:-3000}"
export PER_CHAT="${PER_CHAT:-10}"
WARMUP="${WARMUP:-5000}"
PORT="${PORT:-39800}"
MOTO_PORT="${MOTO_PORT:-39801}"

target="${CARGO_TARGET_DIR:-target}"
[[ "${SKIP_BUILD:-}" == 1 ]] ||
  cargo build --release --quiet --bin aws-chatops --example bench-notifications

work="$(mktemp -d)"
cp "$target/release/aws-chatops" "$target/release/examples/bench-notifications" "$work/"
server_pid= standins_pid= moto_pid=
stop() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  [[ -n "$standins_pid" ]] && kill -INT "$standins_pid" 2>/dev/null || true
  [[ -n "$moto_pid" ]] && kill "$moto_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap stop EXIT
poll() { # poll TRIES COMMAND...: every 0.1 s until it succeeds
  local tries=$1
  shift
  for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.1; done
  "$@"
}
count() { cat "$work/connector.count" 2>/dev/null || echo 0; }
metric() { curl -fs "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" 'index($0, m) == 1 {s += $2} END {print s + 0}'; }

bot_env=()
if [[ "$CHARTS" == 1 ]]; then
  export GUARDRAIL=ReadOnly
  bin=.venv/bin
  [[ -x "$bin/moto_server" ]] || bin="$(dirname "$(command -v moto_server)")"
  "$bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  poll 300 curl -fs "http://127.0.0.1:$MOTO_PORT/moto-api/" >/dev/null
  # Three hours of one-minute datapoints of the alarms' metric (their Trigger).
  python3 - "$work/metric.json" <<'EOF'
import json, sys, time, random
now = int(time.time()) // 60 * 60
data = [{"MetricName": "5XXError", "Dimensions": [{"Name": "ApiName", "Value": "orders"}],
         "Timestamp": now - 60 * i, "Value": float(random.randint(0, 4) + (6 if 20 < i < 40 else 0)),
         "Unit": "Count"} for i in range(180)]
json.dump(data, open(sys.argv[1], "w"))
EOF
  for start in 0 20 40 60 80 100 120 140 160; do
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d[$start:$start+20]))" "$work/metric.json" >"$work/part.json"
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "$bin/aws" --region us-east-1 \
      --endpoint-url "http://127.0.0.1:$MOTO_PORT" cloudwatch put-metric-data \
      --namespace AWS/ApiGateway --metric-data "file://$work/part.json"
  done
  bot_env=(AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_MAX_ATTEMPTS=1 AWS_REGION=us-east-1
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
    AWS_CHATOPS_PUBLIC_URL="http://127.0.0.1:$PORT")
fi

echo "== signing $((CHATS * PER_CHAT)) notifications for $CHATS chats over $TENANTS tenants"
"$work/bench-notifications" standins "$work" >"$work/standins.out" 2>&1 &
standins_pid=$!
poll 1200 grep -q ready "$work/standins.out" || { cat "$work/standins.out" >&2; exit 1; }
grep signed "$work/standins.out" || true
# shellcheck disable=SC1091
source "$work/standins.env"

# A Redis store starts empty: conversation references left by an earlier run point at that
# run's stand-ins, which are gone (posting to them would be retried, not measured).
if [[ "${STORE:-}" == redis://* ]]; then
  redis-cli -u "$STORE" FLUSHDB >/dev/null
fi

env "${bot_env[@]}" PORT="$PORT" AWS_CHATOPS_BIND_ADDRESS=127.0.0.1 RUST_LOG="${RUST_LOG:-info}" \
  AWS_CHATOPS_STORE="${STORE:-$work/store.redb}" \
  "$work/aws-chatops" --config "$work/config.toml" serve >"$work/server.log" 2>&1 &
server_pid=$!
poll 300 curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }

# The bot added to one group chat per tenant: it stores the tenant's conversation reference
# and answers with a welcome card each.
"$work/bench-notifications" load "http://127.0.0.1:$PORT/api/messages" "$work/installs.jsonl" 0 4 "" "$BENCH_AUTH" >/dev/null
installed() { [[ "$(count)" -ge "$TENANTS" ]]; }
poll 300 installed || { echo "welcome cards: $(count) of $TENANTS" >&2; exit 1; }
before_run=$(count)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $WARMUP warm-up, then $((CHATS * PER_CHAT - WARMUP)) measured, $CONNECTIONS connections (charts: $CHARTS)"
"$work/bench-notifications" load "http://127.0.0.1:$PORT/api/sns" "$work/notifications.jsonl" \
  "$WARMUP" "$CONNECTIONS" "$server_pid" | tee "$work/load.out"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Deliveries run on tasks after the 200: wait until the Connector has them all (or 30 s).
expected=$((before_run + CHATS * PER_CHAT))
drained() { [[ "$(count)" -ge "$expected" ]]; }
drain_started=$(date +%s.%N)
poll 300 drained || true
echo "drain_s=$(awk -v a="$drain_started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')"
sleep 0.5
echo "== results"
echo "connector_notifications_total=$(($(count) - before_run)) of $((CHATS * PER_CHAT)) sent"
for outcome in received posted duplicate undeliverable; do
  echo "hub_$outcome=$(metric "aws_chatops_notifications_total{event=\"$outcome\"}")"
done
notifications=$((CHATS * PER_CHAT))
echo "store_operations_per_notification=$(awk -v s="$(metric aws_chatops_store_operations_total)" -v n="$notifications" 'BEGIN {printf "%.1f", s / n}') (installs included)"
for operation in get put compare_and_swap increment delete keys; do
  printf 'store_%s_per_notification=%s\n' "$operation" "$(awk -v s="$(metric "aws_chatops_store_operations_total{operation=\"$operation\"")" -v n="$notifications" 'BEGIN {printf "%.2f", s / n}')"
done
echo "refused_403=$(grep -c 'SNS delivery refused' "$work/server.log" || true)"
echo "charts_unavailable_or_drawn: audit records=$(grep -c . "$work/audit.jsonl" 2>/dev/null || echo 0)"
echo "peak_rss_mb=$(($(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status") / 1024))"
echo "load_average_before=$load_before after=$load_after (other processes on the machine)"
echo "machine: $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p')"
