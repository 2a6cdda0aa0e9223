#!/usr/bin/env bash
# exec start-up: the whole process of `aws-chatops exec -- cloudwatch describe-alarms` against
# the AWS CLI for the same call on one local moto server, in the same hyperfine run (median of
# RUNS each). Starts moto, creates one alarm through `aws`, checks both print the same output.
#
#   bench/exec-startup.sh                 # builds the release binary, 30 runs each
#   RUNS=50 bench/exec-startup.sh
#   BEFORE_BIN=/tmp/aws-chatops-old bench/exec-startup.sh   # also an earlier build, same run
#   SKIP_BUILD=1 BIN=/path/to/aws-chatops bench/exec-startup.sh
#
# Needs hyperfine (apt-get install hyperfine, or cargo install hyperfine --locked), moto_server
# and aws (.venv/bin from scripts/setup-test-env.sh, or PATH). Everything runs on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-30}"

tool() { if [ -x ".venv/bin/$1" ]; then echo "$PWD/.venv/bin/$1"; else command -v "$1"; fi; }
AWS="$(tool aws)"
MOTO="$(tool moto_server)"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  cargo build --release --locked --quiet --bin aws-chatops
fi
BIN="${BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/aws-chatops}"

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

"$AWS" cloudwatch put-metric-alarm --alarm-name startup-bench --metric-name CPUUtilization \
  --namespace AWS/EC2 --statistic Average --period 300 --evaluation-periods 1 --threshold 80 \
  --comparison-operator GreaterThanThreshold

CMD="cloudwatch describe-alarms"
if ! diff <("$AWS" $CMD) <("$BIN" exec -- $CMD) >/dev/null; then
  echo "warning: aws and aws-chatops exec print different outputs for '$CMD'" >&2
fi

echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//')"
echo "aws: $("$AWS" --version 2>&1)"
echo "hyperfine: $(hyperfine --version)"

commands=(-n "aws $CMD" "$AWS $CMD" -n "aws-chatops exec -- $CMD" "$BIN exec -- $CMD")
if [[ -n "${BEFORE_BIN:-}" ]]; then
  commands+=(-n "before: aws-chatops exec -- $CMD" "$BEFORE_BIN exec -- $CMD")
fi
hyperfine -N --warmup 3 --runs "$RUNS" --style basic --export-json "$WORK/h.json" "${commands[@]}" >/dev/null
python3 - "$WORK/h.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
cli = results[0]
print(f"{'command':<48} {'median':>10} {'mean':>10} {'user':>8} {'system':>8} {'vs aws':>8}")
for r in results:
    print(f"{r['command']:<48} {r['median'] * 1000:>8.2f}ms {r['mean'] * 1000:>8.2f}ms "
          f"{r['user'] * 1000:>6.1f}ms {r['system'] * 1000:>6.1f}ms "
          f"{cli['median'] / r['median']:>7.1f}x")
print(f"({len(cli['times'])} runs each, hyperfine -N --warmup 3)")
PY
