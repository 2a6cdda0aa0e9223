#!/usr/bin/env bash
# Runs the Dockerfile's steps outside Docker (CI machines have no Docker engine) and checks the
# result the way the image would run it.
#
# Usage: scripts/docker-build-steps.sh [staging-dir]     (default: target/docker-staging)
#
#  1. `cargo build --release --locked`, as the builder stage does;
#  2. installs the binary into a staging tree laid out like the runtime image:
#     <staging>/usr/local/bin/aws-chatops;
#  3. checks that it needs no shared library beyond glibc's (the runtime image adds only
#     ca-certificates to debian:bookworm-slim);
#  4. runs `aws-chatops --help` as uid/gid 10001 (the image's user) via setpriv;
#  5. reports the binary's size.
# Exits non-zero if any step fails.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
staging_dir="$(realpath -m "${1:-$repo_root/target/docker-staging}")"
service_uid=10001
binary_name=aws-chatops

say() { printf 'docker-build-steps: %s\n' "$*"; }

# The Dockerfile and this script must describe the same build; catch the obvious drift.
for expected in "cargo build --release --locked" "--uid $service_uid" "/usr/local/bin/$binary_name" "EXPOSE 3978"; do
  if ! grep -qF -- "$expected" Dockerfile; then
    say "error: the Dockerfile no longer contains '$expected'; update this script to match it" >&2
    exit 1
  fi
done

say "running: cargo build --release --locked"
cargo build --release --locked
target_dir="${CARGO_TARGET_DIR:-$repo_root/target}"
built_binary="$target_dir/release/$binary_name"
[[ -x "$built_binary" ]] || { say "error: $built_binary was not built" >&2; exit 1; }

say "staging: $staging_dir/usr/local/bin/$binary_name"
rm -rf "$staging_dir"
install -D -m 0755 "$built_binary" "$staging_dir/usr/local/bin/$binary_name"
staged_binary="$staging_dir/usr/local/bin/$binary_name"

# debian:bookworm-slim has glibc and libgcc; anything else (libssl, say) would be missing at run time.
say "checking shared libraries (ldd)"
unexpected=()
while read -r library _; do
  case "$library" in
    linux-vdso.so.* | /lib64/ld-linux-* | ld-linux-* | libc.so.* | libm.so.* | libgcc_s.so.* | \
      libpthread.so.* | libdl.so.* | librt.so.* | statically) ;;
    *) unexpected+=("$library") ;;
  esac
done < <(ldd "$staged_binary" 2>&1 | sed 's/^[[:space:]]*//')
if ((${#unexpected[@]} > 0)); then
  say "error: the binary needs libraries the runtime image does not have: ${unexpected[*]}" >&2
  exit 1
fi
say "ok: only glibc and libgcc are needed"

# Run it as the image's user. Copy it to a fresh temp dir first: the work tree may sit under a
# directory that uid 10001 cannot enter, which is not something the image has.
run_dir="$(mktemp -d)"
trap 'rm -rf "$run_dir"' EXIT
install -m 0755 "$staged_binary" "$run_dir/$binary_name"
chmod 0755 "$run_dir"
if [[ $(id -u) -eq 0 ]]; then
  # setpriv and runuser both come with util-linux (essential in Debian); setpriv takes a bare uid,
  # runuser wants a user name, which uid 10001 does not have outside the image.
  if ! command -v setpriv >/dev/null 2>&1; then
    say "error: setpriv is missing (Debian package util-linux); cannot run as uid $service_uid" >&2
    exit 1
  fi
  run_as_service_user=(setpriv --reuid="$service_uid" --regid="$service_uid" --clear-groups --)
  say "running: ${run_as_service_user[*]} $binary_name --help   (as uid $service_uid)"
else
  run_as_service_user=()
  say "running: $binary_name --help   (already non-root: uid $(id -u))"
fi
if ! help_output="$(cd "$run_dir" && env -i PATH=/usr/bin:/bin HOME=/nonexistent "${run_as_service_user[@]}" "$run_dir/$binary_name" --help 2>&1)"; then
  say "error: '$binary_name --help' failed as uid $service_uid:" >&2
  printf '%s\n' "$help_output" >&2
  exit 1
fi
if [[ -n "$help_output" ]]; then
  say "ok: --help printed $(printf '%s\n' "$help_output" | wc -l) line(s), first: $(printf '%s\n' "$help_output" | head -n 1)"
else
  say "ok: --help exited 0 (it printed nothing: the binary is still a stub)"
fi

size_bytes="$(stat -c %s "$staged_binary")"
say "binary size: $size_bytes bytes ($(awk -v b="$size_bytes" 'BEGIN { printf "%.1f MiB", b / 1048576 }'))"
say "done: $staged_binary"
