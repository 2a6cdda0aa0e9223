#!/usr/bin/env bash
# The long run of the parser property tests (src/proptests.rs): the same properties CI runs
# with a few hundred cases, here in rounds of PROPTEST_CASES cases each until FUZZ_MINUTES have
# passed. Every round draws new random inputs. A failure stops the run and prints proptest's
# minimal failing input; turn it into a named regression test before fixing it.
#
# Usage: scripts/fuzz-long.sh [filter]
#   FUZZ_MINUTES    how long to run; default 60 (the documented long run is at least an hour)
#   PROPTEST_CASES  cases per property per round; default 20000
#   filter          a test-name filter inside proptests (e.g. queries); default all
#   RUST_TEST_THREADS  how many properties run at once (default: one per core)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${FUZZ_MINUTES:-60}"
export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
filter="proptests::${1:-}"

cd "$repo_root"
# Build once (a debug build: its stack frames are the largest, so overflows show up first).
binary="$(cargo test --locked --lib --no-run 2>&1 | sed -n 's/.*Executable unittests src\/lib.rs (\(.*\))/\1/p')"
if [[ -z "$binary" ]]; then
  echo "could not build the unit-test binary" >&2
  exit 1
fi
# Run a copy, so that builds during the hour do not replace (or fail on) the running file.
copy_dir="$(mktemp -d)"
trap 'rm -rf "$copy_dir"' EXIT
cp "$binary" "$copy_dir/unit-tests"
binary="$copy_dir/unit-tests"

deadline=$(( $(date +%s) + minutes * 60 ))
round=0
start=$(date +%s)
while (( $(date +%s) < deadline )); do
  round=$((round + 1))
  round_start=$(date +%s)
  if ! "$binary" "$filter" --quiet >"$copy_dir/round.log" 2>&1; then
    cat "$copy_dir/round.log"
    echo "round $round FAILED after $(( $(date +%s) - start )) s" >&2
    exit 1
  fi
  passed="$(grep -o '[0-9]* passed' "$copy_dir/round.log" | head -1)"
  echo "round $round: $passed, $PROPTEST_CASES cases each, $(( $(date +%s) - round_start )) s"
done
echo "done: $round rounds of $PROPTEST_CASES cases per property in $(( $(date +%s) - start )) s"
