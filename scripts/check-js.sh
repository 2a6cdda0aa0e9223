#!/usr/bin/env bash
# Runs the JavaScript-side checks of the Teams app and the cards, and prints "<N> passed, <M> failed".
#
#  1. builds the app package with a test GUID into a temp dir and validates manifest + package
#     (tests/js/validate-manifest.mjs); the builder must refuse a non-GUID app id;
#  2. a broken copy of the manifest (lower-case "groupchat" scope) must fail validation;
#  3. tests/js/samples must pass tests/js/validate-cards.mjs;
#  4. tests/js/samples-invalid must fail, every file in it, with the problems listed in its
#     expected-problems.txt; a generated card over 28 KB must fail on its size;
#  5. tests/js/samples must render (render-cards.mjs, into a temp dir);
#  6. if target/card-samples/ exists (the Rust tests write the bot's cards there), its cards must
#     pass validation and are rendered into docs/cards/.
# Needs what scripts/setup-test-env.sh installs (node_modules in tests/js, Debian chromium).
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js_dir="$repo_root/tests/js"
test_app_id="3f2b8c1e-7d4a-4e9b-8c21-5a6f0d9e4b7c"
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

passed=0
failed=0
# step <description> <command...>: runs the command, shows its output indented, counts the result.
step() {
  local description="$1"
  shift
  echo "--- $description"
  if "$@" >"$work_dir/step.log" 2>&1; then
    sed 's/^/    /' "$work_dir/step.log"
    echo "PASS $description"
    passed=$((passed + 1))
  else
    sed 's/^/    /' "$work_dir/step.log"
    echo "FAIL $description"
    failed=$((failed + 1))
  fi
}

if [[ ! -d "$js_dir/node_modules" ]]; then
  echo "check-js: tests/js/node_modules is missing; run scripts/setup-test-env.sh first" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

build_and_validate_package() {
  "$repo_root/scripts/build-app-package.sh" "$test_app_id" "$work_dir/app.zip" &&
    node "$js_dir/validate-manifest.mjs" --package "$work_dir/app.zip" --app-id "$test_app_id"
}
step "app package builds and validates (manifest, icons, zip layout, ids)" build_and_validate_package

builder_refuses_bad_id() {
  if "$repo_root/scripts/build-app-package.sh" "not-a-guid" "$work_dir/bad.zip"; then
    echo "build-app-package.sh accepted 'not-a-guid'"
    return 1
  fi
  [[ ! -e "$work_dir/bad.zip" ]] || { echo "a zip was written for a bad id"; return 1; }
}
step "build-app-package.sh refuses an app id that is not a GUID" builder_refuses_bad_id

broken_manifest_fails() {
  cp -r "$repo_root/manifest" "$work_dir/broken-manifest"
  sed -i 's/"groupChat"/"groupchat"/g' "$work_dir/broken-manifest/manifest.json"
  if node "$js_dir/validate-manifest.mjs" --manifest-dir "$work_dir/broken-manifest"; then
    echo "validate-manifest.mjs accepted a manifest with the scope \"groupchat\""
    return 1
  fi
  echo "(failed as expected)"
}
step "validate-manifest.mjs rejects a broken manifest copy" broken_manifest_fails

step "tests/js/samples are valid cards" node "$js_dir/validate-cards.mjs" "$js_dir/samples"

invalid_samples_fail() {
  local dir="$js_dir/samples-invalid" report="$work_dir/invalid.log" ok=0
  if node "$js_dir/validate-cards.mjs" "$dir" >"$report" 2>&1; then
    cat "$report"
    echo "validate-cards.mjs accepted $dir"
    return 1
  fi
  cat "$report"
  for file in "$dir"/*.json; do
    if ! grep -qF "FAIL $(basename "$file")" "$report"; then
      echo "expected $(basename "$file") to FAIL"
      ok=1
    fi
  done
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    local file="${line%%: *}" phrase="${line#*: }"
    # The problems of a file are the indented lines after its FAIL line, up to the next card.
    if ! awk -v head="FAIL $file" 'index($0, head) == 1 {on = 1; next} /^(ok|FAIL) / {on = 0} on' "$report" | grep -qF -- "$phrase"; then
      echo "expected $file to be reported with: $phrase"
      ok=1
    fi
  done <"$dir/expected-problems.txt"
  [[ $ok -eq 0 ]] && echo "(every invalid sample failed with the expected problems)"
  return $ok
}
step "tests/js/samples-invalid fail with the expected problems" invalid_samples_fail

oversized_card_fails() {
  mkdir -p "$work_dir/oversized"
  # shellcheck disable=SC2016 # The quoted text is JavaScript; its ${...} is a template literal.
  node -e '
    const body = [];
    for (let i = 0; i < 300; i += 1) body.push({ type: "TextBlock", text: `line ${i} `.padEnd(100, "x"), wrap: true });
    process.stdout.write(JSON.stringify({ type: "AdaptiveCard", version: "1.5", body }));
  ' >"$work_dir/oversized/oversized.json"
  if node "$js_dir/validate-cards.mjs" "$work_dir/oversized" >"$work_dir/oversized.log" 2>&1; then
    cat "$work_dir/oversized.log"
    echo "a card over 28 KB passed"
    return 1
  fi
  cat "$work_dir/oversized.log"
  grep -q "over the 28672-byte limit" "$work_dir/oversized.log"
}
step "a card over 28 KB fails on its size" oversized_card_fails

step "tests/js/samples render in headless Chromium" node "$js_dir/render-cards.mjs" "$js_dir/samples" "$work_dir/rendered"

card_samples="$repo_root/target/card-samples"
if [[ -d "$card_samples" ]]; then
  step "target/card-samples are valid cards" node "$js_dir/validate-cards.mjs" "$card_samples"
  # docs/cards/*.png are this step's output only: clear them so a card the Rust tests no longer
  # write does not leave a stale picture behind (docs/cards/samples/ is left alone).
  rm -f "$repo_root"/docs/cards/*.png
  step "target/card-samples render into docs/cards/" node "$js_dir/render-cards.mjs" "$card_samples" "$repo_root/docs/cards"
  # Charts are pictures already (src/render/chart.rs draws them): they are copied as they are.
  if compgen -G "$card_samples/*.png" >/dev/null; then
    cp "$card_samples"/*.png "$repo_root/docs/cards/"
  fi
else
  echo "--- target/card-samples/ does not exist (the Rust tests write it); skipped validating and rendering it"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
