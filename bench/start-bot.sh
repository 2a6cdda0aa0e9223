# Sourced by bench/run.sh, bench/soak.sh and bench/memory.sh: the steps that start the release
# bot against the loopback stand-ins (bench/standins.rs) on 127.0.0.1:$PORT. run.sh and soak.sh
# call start_bot; memory.sh, which also runs moto and its own configuration, uses the steps.
# They set server_pid, standins_pid and work (a temp directory with the logs).

# Runs the command given after TRIES until it succeeds, at most TRIES times, 0.1 s apart, and
# then once more: the status is that of the last run.
poll() {
  local tries=$1
  shift
  for _ in $(seq "$tries"); do
    "$@" && return 0
    sleep 0.1
  done
  "$@"
}

# Stops what was started (the bot, the stand-ins, moto when memory.sh started it).
stop_started() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null || true
  [[ -n "${standins_pid:-}" ]] && kill -INT "$standins_pid" 2>/dev/null || true
  [[ -n "${moto_pid:-}" ]] && kill "$moto_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}

# Starts the stand-ins binary $1 writing into $work; sets standins_pid.
start_standins() {
  "$1" "$work" >"$work/standins.out" 2>&1 &
  standins_pid=$!
}

# Reads the bot settings the stand-ins wrote (the message body, the token, the URLs).
load_standins_env() {
  # shellcheck disable=SC1091
  source "$work/standins.env"
}

standins_ready() { grep -q ready "$work/standins.out" 2>/dev/null; }
bot_ready() { curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; }

# Waits up to 10 s for the bot started as server_pid to report ready; exits with its log if not.
wait_bot_ready() {
  poll 100 bot_ready || { echo "server not ready" >&2; cat "$work/server.log" >&2; exit 1; }
}

# What bench/run.sh and bench/soak.sh run: builds the release binary and the stand-ins, starts
# both, and stops them on exit.
start_bot() {
  command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
  # SKIP_BUILD=1 uses the binaries already built.
  [[ "${SKIP_BUILD:-}" == 1 ]] || cargo build --release --quiet --bin aws-chatops --example bench-standins

  work="$(mktemp -d)"
  trap stop_started EXIT

  start_standins target/release/examples/bench-standins
  poll 99 standins_ready || true
  load_standins_env

  PORT="$PORT" AWS_CHATOPS_BIND_ADDRESS=127.0.0.1 RUST_LOG="${RUST_LOG:-info}" \
    target/release/aws-chatops serve >"$work/server.log" 2>&1 &
  server_pid=$!
  wait_bot_ready
}
