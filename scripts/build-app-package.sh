#!/usr/bin/env bash
# Builds the Teams app package: a zip holding manifest.json, color.png and outline.png at its root.
#
# Usage: scripts/build-app-package.sh <MicrosoftAppId> [out.zip]
#   MicrosoftAppId  the Azure Bot's Microsoft App ID (a GUID). It replaces the placeholder
#                   00000000-0000-0000-0000-000000000000 in the manifest's "id" and every bot's
#                   "botId" (and webApplicationInfo.id, if the manifest has one).
#   out.zip         where to write the package; default target/teams-app/aws-chatops.zip.
#
# The zip is written with Python's zipfile and fixed timestamps, so the same inputs give the same
# bytes. Upload the result in Teams (Apps > Manage your apps > Upload an app) or the Developer Portal.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest_dir="$repo_root/manifest"

usage() {
  echo "usage: $0 <MicrosoftAppId> [out.zip]" >&2
  echo "  MicrosoftAppId: the bot's Microsoft App ID, a GUID like 2f1c0a9e-5b7d-4c1e-9a3f-0123456789ab" >&2
}

if [[ $# -lt 1 || $# -gt 2 ]]; then
  usage
  exit 2
fi
app_id="$1"
out_zip="${2:-$repo_root/target/teams-app/aws-chatops.zip}"

guid_pattern='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
if [[ ! "$app_id" =~ $guid_pattern ]]; then
  echo "error: '$app_id' is not a GUID. The Microsoft App ID looks like 2f1c0a9e-5b7d-4c1e-9a3f-0123456789ab" >&2
  echo "       (Azure portal > your Azure Bot > Configuration > Microsoft App ID)." >&2
  exit 2
fi
if [[ "$app_id" == "00000000-0000-0000-0000-000000000000" ]]; then
  echo "error: $app_id is the manifest's placeholder, not a real Microsoft App ID." >&2
  exit 2
fi

for required_file in manifest.json color.png outline.png; do
  if [[ ! -f "$manifest_dir/$required_file" ]]; then
    echo "error: missing $manifest_dir/$required_file" >&2
    exit 1
  fi
done

mkdir -p "$(dirname "$out_zip")"

python3 - "$manifest_dir" "$app_id" "$out_zip" <<'PYTHON'
import json
import sys
import zipfile
from pathlib import Path

manifest_dir, app_id, out_zip = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
placeholder = "00000000-0000-0000-0000-000000000000"

manifest = json.loads((manifest_dir / "manifest.json").read_text(encoding="utf-8"))
replaced = []
if manifest.get("id") == placeholder:
    manifest["id"] = app_id
    replaced.append("id")
for index, bot in enumerate(manifest.get("bots", [])):
    if bot.get("botId") == placeholder:
        bot["botId"] = app_id
        replaced.append(f"bots[{index}].botId")
web_application_info = manifest.get("webApplicationInfo")
if isinstance(web_application_info, dict) and web_application_info.get("id") == placeholder:
    web_application_info["id"] = app_id
    replaced.append("webApplicationInfo.id")
if "id" not in replaced:
    sys.exit(f"error: manifest.json 'id' is {manifest.get('id')!r}, expected the placeholder {placeholder}")

# Every entry at the zip root with a fixed date, so the package is reproducible.
fixed_date = (2024, 1, 1, 0, 0, 0)
entries = [
    ("manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")),
    (manifest["icons"]["color"], (manifest_dir / manifest["icons"]["color"]).read_bytes()),
    (manifest["icons"]["outline"], (manifest_dir / manifest["icons"]["outline"]).read_bytes()),
]
temporary = out_zip.with_name(out_zip.name + ".tmp")
with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
    for name, data in entries:
        info = zipfile.ZipInfo(name, date_time=fixed_date)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, data)
temporary.replace(out_zip)
print(f"replaced the placeholder in: {', '.join(replaced)}")
PYTHON

echo "wrote $out_zip ($(stat -c %s "$out_zip") bytes): manifest.json, color.png, outline.png at the root"
