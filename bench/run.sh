#!/usr/bin/env bash
# Load benchmark of the bot endpoint: authenticated Teams message activities through the full
# path (verify JWT -> parse -> dispatch -> reply to a loopback Bot Connector).
#
#   bench/run.sh                      # defaults: 8 connections, 30 s after a 5 s warm-up
#   CONNECTIONS=64 DURATION=60 bench/run.sh
#
# Needs wrk (apt-get install -y wrk). Builds the release binary and the stand-ins first.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS="${CONNECTIONS:-8}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-5}"
THREADS="${THREADS:-1}"
PORT="${PORT:-39780}"

# shellcheck source=bench/start-bot.sh
source bench/start-bot.sh
start_bot

url="http://127.0.0.1:$PORT/api/messages"
echo "== warm-up ${WARMUP}s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/message.lua "$url" >/dev/null
rss_after_warmup_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
cpu_before=$(cpu_ticks)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== measuring ${DURATION}s, ${CONNECTIONS} connections, ${THREADS} wrk thread(s)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/message.lua "$url" | tee "$work/wrk.out"

cpu_after=$(cpu_ticks)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# Let replies still in flight drain, then read the counters (replies from the bot's /metrics:
# a reply is not logged at info).
sleep 2
peak_rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
metrics=$(curl -sf "http://127.0.0.1:$PORT/metrics" || true)
connector_event() {
  local count
  count=$(printf '%s\n' "$metrics" | sed -n "s/^aws_chatops_connector_events_total{event=\"$1\"} //p" | head -1)
  echo "${count:-0}"
}
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
kill -INT "$standins_pid"; wait "$standins_pid" 2>/dev/null || true; standins_pid=

requests_total=$(connector_event sent)
failed=$(( $(connector_event refused) + $(connector_event given_up) ))
connector=$(sed -n 's/^connector_requests=//p' "$work/standins.out")
tokens=$(sed -n 's/^token_requests=//p' "$work/standins.out")
echo "== results"
grep -E '^(requests|duration_s|rps|p50_ms|p99_ms|max_ms|errors_status|errors_socket)=' "$work/wrk.out"
echo "replies_sent_total=$requests_total (warm-up included)"
echo "replies_failed=$failed"
echo "connector_requests_total=$connector"
echo "token_requests=$tokens"
measured=$(sed -n 's/^requests=//p' "$work/wrk.out")
ticks=$(getconf CLK_TCK)
echo "server_cpu_s=$(awk -v a="$cpu_before" -v b="$cpu_after" -v t="$ticks" 'BEGIN {printf "%.2f", (b - a) / t}')"
echo "server_cpu_us_per_activity=$(awk -v a="$cpu_before" -v b="$cpu_after" -v t="$ticks" -v n="$measured" 'BEGIN {printf "%.0f", (b - a) / t * 1e6 / n}')"
echo "load_average_before=$load_before after=$load_after (other processes on the machine)"
echo "rss_after_warmup_mb=$((rss_after_warmup_kb / 1024))"
echo "peak_rss_mb=$((peak_rss_kb / 1024))"
echo "machine: $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p')"
