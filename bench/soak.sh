#!/usr/bin/env bash
# Soak of the bot endpoint: half the measured maximum throughput for SOAK_MINUTES (default 30),
# the bot's RSS sampled every 10 s, then whether it stayed flat. Not part of CI (it is long).
#
#   bench/soak.sh                          # 30 minutes
#   SOAK_MINUTES=5 bench/soak.sh
#
# The load is the endpoint benchmark's activity (bench/message.lua: one new conversation and
# tenant per request) through the full path, against the loopback stand-ins of bench/standins.rs.
set -euo pipefail
cd "$(dirname "$0")/.."

SOAK_MINUTES="${SOAK_MINUTES:-30}"
CONNECTIONS="${CONNECTIONS:-8}"
PORT="${PORT:-39781}"

# shellcheck source=bench/start-bot.sh
source bench/start-bot.sh
start_bot
url="http://127.0.0.1:$PORT/api/messages"

echo "== the maximum: 15 s at $CONNECTIONS connections"
wrk -t1 -c"$CONNECTIONS" -d15s -s bench/message.lua "$url" >"$work/max.out"
max_rps=$(sed -n 's/^rps=//p' "$work/max.out")
target=$((max_rps / 2))
# Each connection waits SOAK_DELAY_MS before each request; with a latency far below it the
# rate is about CONNECTIONS * 1000 / SOAK_DELAY_MS.
delay_ms=$((CONNECTIONS * 1000 / (target > 0 ? target : 1)))
echo "max_rps=$max_rps target_rps=$target delay_ms=$delay_ms"

rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
samples="$work/rss.csv"
echo "seconds,rss_kb" >"$samples"
start=$(date +%s)
SOAK_DELAY_MS="$delay_ms" wrk -t1 -c"$CONNECTIONS" -d"$((SOAK_MINUTES * 60))s" -s bench/soak.lua "$url" \
  >"$work/soak.out" &
wrk_pid=$!
while kill -0 "$wrk_pid" 2>/dev/null; do
  echo "$(( $(date +%s) - start )),$(rss)" >>"$samples"
  sleep 10
done
wait "$wrk_pid" || true

echo "== results"
grep -E '^(requests|duration_s|rps|p50_ms|p99_ms|errors_status|errors_socket)=' "$work/soak.out"
# Flat: the last quarter's mean RSS against the second quarter's (after the warm-up of caches).
awk -F, 'NR > 1 { t[NR] = $1; r[NR] = $2; n = NR }
  END {
    q = int((n - 1) / 4); if (q < 1) q = 1;
    for (i = 2 + q; i < 2 + 2 * q; i++) { a += r[i]; ca++ }
    for (i = n - q + 1; i <= n; i++) { b += r[i]; cb++ }
    for (i = 2; i <= n; i++) if (r[i] > m) m = r[i];
    printf "rss_first_mb=%.1f rss_second_quarter_mb=%.1f rss_last_quarter_mb=%.1f rss_max_mb=%.1f samples=%d\n",
      r[2] / 1024, a / ca / 1024, b / cb / 1024, m / 1024, n - 1
    printf "rss_growth_last_vs_second_quarter_pct=%.1f\n", (b / cb - a / ca) / (a / ca) * 100
  }' "$samples"
echo "samples: $samples (kept until exit)"
echo "machine: $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p')"
