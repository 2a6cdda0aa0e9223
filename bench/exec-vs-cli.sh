#!/usr/bin/env bash
# Whole-process time of `aws-chatops exec` against the AWS CLI for the same read commands,
# against one local moto server, in the same run. Medians of >= 20 runs each (hyperfine when
# installed, else a loop timed with `date +%s%N`).
#
# Usage: bench/exec-vs-cli.sh [runs]    (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-30}"

tool() { if [ -x ".venv/bin/$1" ]; then echo ".venv/bin/$1"; else command -v "$1"; fi; }
AWS="$(tool aws)"
MOTO="$(tool moto_server)"

cargo build --release --quiet --bin aws-chatops
BIN="$PWD/target/release/aws-chatops"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$MOTO" -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
MOTO_PID=$!
WORK="$(mktemp -d)"
trap 'kill "$MOTO_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
deadline=$(( $(date +%s) + 30 ))
until curl -s -o /dev/null "http://127.0.0.1:$PORT/moto-api/"; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "moto did not start" >&2; exit 1; }
  sleep 0.05
done

printf '[default]\nregion = us-east-1\ncli_timestamp_format = iso8601\n' > "$WORK/config"
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
  AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_PAGER="" AWS_CONFIG_FILE="$WORK/config" \
  AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

for name in bench-a bench-b; do
  "$AWS" cloudwatch put-metric-alarm --alarm-name "$name" --metric-name CPUUtilization --namespace AWS/EC2 \
    --statistic Average --period 300 --evaluation-periods 1 --threshold 80 \
    --comparison-operator GreaterThanThreshold
  "$AWS" logs create-log-group --log-group-name "/bench/$name"
done

echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//')"
echo "aws: $("$AWS" --version 2>&1)"

median_ms() { # command... -> median wall time in ms over $RUNS runs
  local times=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N)
    times+=( $(( (end - start) / 1000 )) )
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

for cmd in "cloudwatch describe-alarms" "logs describe-log-groups"; do
  # Same output first: the comparison is only fair if both print the same thing.
  if ! diff <("$AWS" $cmd) <("$BIN" exec -- $cmd) >/dev/null; then
    echo "warning: outputs differ for '$cmd'" >&2
  fi
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 3 --runs "$RUNS" --style basic --export-json "$WORK/h.json" \
      -n "aws $cmd" "$AWS $cmd" -n "aws-chatops exec -- $cmd" "$BIN exec -- $cmd" >/dev/null
    python3 - "$WORK/h.json" "$cmd" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
cli, ours = (r["median"] * 1000 for r in results)
print(f"{sys.argv[2]}: aws median {cli:.1f} ms, aws-chatops exec median {ours:.1f} ms, "
      f"ratio {cli / ours:.1f}x ({len(results[0]['times'])} runs each, hyperfine)")
PY
  else
    cli=$(median_ms "$AWS" $cmd); ours=$(median_ms "$BIN" exec -- $cmd)
    python3 -c "import sys; c, o = float(sys.argv[1]), float(sys.argv[2]); print(f'{sys.argv[3]}: aws median {c:.1f} ms, aws-chatops exec median {o:.1f} ms, ratio {c/o:.1f}x ($RUNS runs each, date loop)')" "$cli" "$ours" "$cmd"
  fi
done
