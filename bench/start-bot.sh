# Sourced by bench/run.sh and bench/soak.sh: builds the release binary and the stand-ins,
# starts the stand-ins and the bot on 127.0.0.1:$PORT, and stops both on exit. Sets
# server_pid, standins_pid and work (a temp directory with the logs).
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
# SKIP_BUILD=1 uses the binaries already built.
[[ "${SKIP_BUILD:-}" == 1 ]] || cargo build --release --quiet --bin aws-chatops --example bench-standins

work="$(mktemp -d)"
cleanup() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null || true
  [[ -n "${standins_pid:-}" ]] && kill -INT "$standins_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

target/release/examples/bench-standins "$work" >"$work/standins.out" 2>&1 &
standins_pid=$!
for _ in $(seq 100); do grep -q ready "$work/standins.out" 2>/dev/null && break; sleep 0.1; done
# shellcheck disable=SC1091
source "$work/standins.env"

PORT="$PORT" AWS_CHATOPS_BIND_ADDRESS=127.0.0.1 RUST_LOG="${RUST_LOG:-info}" \
  target/release/aws-chatops serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "server not ready" >&2; cat "$work/server.log" >&2; exit 1; }

