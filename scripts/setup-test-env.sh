#!/usr/bin/env bash
# Installs what the tests need on a clean Debian 12 machine (run as root), and nothing more.
#
# Idempotent: each step first checks whether its result is already there and says so, so a second
# run takes a few seconds. Steps:
#   1. Debian packages chromium (card rendering), wrk (load tests) and redis-server (the Redis store
#      backend), each only if its command is missing, and python3-venv if python3 cannot make a
#      virtualenv; `apt-get update` runs only when something is missing.
#   2. A Python virtualenv at .venv with pinned moto[server] (the AWS stand-in), awscli (the reference
#      for output) and Pillow (scripts/make-icons.py). Reinstalled only when the pins change.
#   3. `npm ci` in tests/js, only when package-lock.json changed since the last install.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# Exact pins. `pip index versions <name>` lists what exists; these install together on Python 3.11.
python_pins=(
  "moto[server]==5.2.1"
  "awscli==1.45.11"
  "Pillow==12.0.0"
)

say() { printf 'setup-test-env: %s\n' "$*"; }

# --- 1. Debian packages -------------------------------------------------------------------------
# command name -> Debian packages to install when it is missing. Liberation Sans comes with chromium
# because the card renderer's font stack falls back to it (metric-compatible with Arial, closer to
# Teams' Segoe UI than DejaVu Sans).
declare -A apt_package_for=(
  [chromium]="chromium fonts-liberation"
  [wrk]=wrk
  [redis-server]=redis-server
)
missing_packages=()
for command_name in chromium wrk redis-server; do
  if command -v "$command_name" >/dev/null 2>&1; then
    say "ok: $command_name is installed ($(command -v "$command_name"))"
  else
    say "missing: $command_name, will install Debian package ${apt_package_for[$command_name]}"
    read -r -a packages_for_command <<<"${apt_package_for[$command_name]}"
    missing_packages+=("${packages_for_command[@]}")
  fi
done
# Debian's own python3 can only make virtualenvs with python3-venv (ensurepip); pyenv's can.
if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  say "missing: python3's ensurepip (for .venv), will install Debian package python3-venv"
  missing_packages+=(python3-venv)
fi
if ((${#missing_packages[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    say "error: installing ${missing_packages[*]} needs root" >&2
    exit 1
  fi
  say "running: apt-get update"
  apt-get update -qq
  say "running: apt-get install -y --no-install-recommends ${missing_packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
  say "installed: ${missing_packages[*]}"
fi

# --- 2. Python virtualenv -----------------------------------------------------------------------
venv_dir="$repo_root/.venv"
pins_stamp="$venv_dir/.aws-chatops-pins"
wanted_pins="$(printf '%s\n' "${python_pins[@]}")"
if [[ -x "$venv_dir/bin/python" && -f "$pins_stamp" && "$(cat "$pins_stamp")" == "$wanted_pins" ]]; then
  say "ok: .venv has ${python_pins[*]}"
else
  if [[ ! -x "$venv_dir/bin/python" ]]; then
    say "running: python3 -m venv .venv"
    python3 -m venv "$venv_dir"
  fi
  say "running: .venv/bin/pip install ${python_pins[*]}"
  "$venv_dir/bin/pip" install --quiet --disable-pip-version-check "${python_pins[@]}"
  printf '%s' "$wanted_pins" >"$pins_stamp"
  say "installed: ${python_pins[*]}"
fi

# --- 3. Node packages for tests/js --------------------------------------------------------------
js_dir="$repo_root/tests/js"
lock_stamp="$js_dir/node_modules/.aws-chatops-lock.sha256"
lock_hash="$(sha256sum "$js_dir/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$lock_stamp" && "$(cat "$lock_stamp")" == "$lock_hash" ]]; then
  say "ok: tests/js/node_modules matches package-lock.json"
else
  say "running: npm ci in tests/js"
  (cd "$js_dir" && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s' "$lock_hash" >"$lock_stamp"
  say "installed: tests/js/node_modules"
fi

# --- 4. Redis on 127.0.0.1:6379 (the Redis store's conformance tests) ---------------------------
# Machines of this kind start Redis before a session; start one only when nothing answers.
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "ok: redis answers on 127.0.0.1:6379"
else
  say "running: redis-server on 127.0.0.1:6379 (no persistence)"
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
  say "started: redis-server"
fi

say "done"
