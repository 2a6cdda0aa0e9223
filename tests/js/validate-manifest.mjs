// Validates the Teams app: manifest/manifest.json against the pinned manifest schema shipped in
// @microsoft/app-manifest (JSON Schema draft-04, checked with ajv-draft-04 + ajv-formats), plus the
// rules the schema does not express: GUID ids, https developer URLs, the bot's scopes, icon sizes,
// the outline icon being only white on fully transparent pixels, and, given a built package, its
// zip layout (manifest.json and both icons at the root, nothing else) and the ids inside it.
//
// Usage: node validate-manifest.mjs [--manifest-dir DIR] [--package ZIP] [--app-id GUID]
//   --manifest-dir  folder with manifest.json and the icons (default: ../../manifest from here)
//   --package       a zip made by scripts/build-app-package.sh, checked as well
//   --app-id        the GUID the package was built with; its id and botId must equal it
// Prints one line per check and exits 1 if any failed.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { readZipEntries } from "./lib/zip.mjs";
import { decodePng } from "./lib/png.mjs";

// The manifest version we build against; manifest.json must declare exactly this.
const MANIFEST_VERSION = "1.25";
const SCHEMA_URL = `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;
const PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const BOT_SCOPES = ["team", "groupChat", "personal"];

const here = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    "manifest-dir": { type: "string", default: join(here, "..", "..", "manifest") },
    package: { type: "string" },
    "app-id": { type: "string" },
  },
});

let passed = 0;
let failed = 0;
function check(description, problems) {
  const list = problems.filter(Boolean);
  if (list.length === 0) {
    passed += 1;
    console.log(`ok   ${description}`);
  } else {
    failed += 1;
    console.log(`FAIL ${description}`);
    for (const problem of list) console.log(`       - ${problem}`);
  }
}
// Runs a check whose code may throw (bad JSON, broken PNG) and reports the exception as its failure.
function checkSafely(description, produceProblems) {
  try {
    check(description, produceProblems());
  } catch (error) {
    check(description, [error.message]);
  }
}

const schemaPath = join(
  here,
  "node_modules/@microsoft/app-manifest/build/json-schemas/teams",
  `v${MANIFEST_VERSION}`,
  "MicrosoftTeams.schema.json",
);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSchema = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));

// Checks one manifest object; `where` names it in messages, `expectPlaceholder` is true for the
// committed file (placeholder ids) and false for a built package (real ids).
function checkManifest(where, manifest, { expectPlaceholder, appId }) {
  check(`${where}: valid against the manifest ${MANIFEST_VERSION} schema`, [
    ...(validateSchema(manifest) ? [] : validateSchema.errors.map(describeSchemaError)),
  ]);
  check(`${where}: pins manifest version ${MANIFEST_VERSION}`, [
    manifest.manifestVersion !== MANIFEST_VERSION && `manifestVersion is ${JSON.stringify(manifest.manifestVersion)}`,
    manifest.$schema !== SCHEMA_URL && `$schema is ${JSON.stringify(manifest.$schema)}, expected ${SCHEMA_URL}`,
    !SEMVER.test(String(manifest.version)) && `version ${JSON.stringify(manifest.version)} is not semver`,
  ]);

  const ids = [["id", manifest.id], ...(manifest.bots ?? []).map((bot, i) => [`bots[${i}].botId`, bot.botId])];
  if (manifest.webApplicationInfo) ids.push(["webApplicationInfo.id", manifest.webApplicationInfo.id]);
  check(`${where}: ids are GUIDs${expectPlaceholder ? " (the placeholder)" : " (not the placeholder)"}`, [
    (manifest.bots ?? []).length !== 1 && `expected exactly one bot, found ${(manifest.bots ?? []).length}`,
    ...ids.flatMap(([name, value]) => [
      !GUID.test(String(value)) && `${name} ${JSON.stringify(value)} is not a GUID`,
      expectPlaceholder && value !== PLACEHOLDER_ID && `${name} should be the placeholder ${PLACEHOLDER_ID}, found ${value}`,
      !expectPlaceholder && value === PLACEHOLDER_ID && `${name} is still the placeholder`,
      appId && value !== appId && `${name} is ${value}, expected the app id ${appId}`,
    ]),
  ]);

  const developer = manifest.developer ?? {};
  check(`${where}: developer URLs use https`, [
    ...["websiteUrl", "privacyUrl", "termsOfUseUrl"].map(
      (key) => !String(developer[key]).startsWith("https://") && `developer.${key} ${JSON.stringify(developer[key])} is not https`,
    ),
  ]);

  const bot = manifest.bots?.[0] ?? {};
  const titles = (bot.commandLists ?? []).flatMap((list) => list.commands.map((command) => command.title));
  check(`${where}: bot scopes, files and commands`, [
    JSON.stringify([...(bot.scopes ?? [])].sort()) !== JSON.stringify([...BOT_SCOPES].sort()) &&
      `bot scopes are ${JSON.stringify(bot.scopes)}, expected ${JSON.stringify(BOT_SCOPES)} (case-sensitive)`,
    bot.supportsFiles !== false && `supportsFiles should be false (attachments are refused), found ${bot.supportsFiles}`,
    !titles.includes("help") && `the command list has no "help" command`,
    new Set(titles).size !== titles.length && `duplicate command titles: ${titles.join(", ")}`,
  ]);
}

function describeSchemaError(error) {
  const at = error.instancePath || "(root)";
  const detail = error.params?.allowedValues
    ? ` (allowed: ${error.params.allowedValues.join(", ")})`
    : error.params?.additionalProperty
      ? ` (${error.params.additionalProperty})`
      : "";
  return `${at} ${error.message}${detail}`;
}

// Checks the two icons given as { path -> bytes }; `where` names their source.
function checkIcons(where, manifest, readIcon) {
  checkSafely(`${where}: color icon is a 192x192 PNG`, () => {
    const icon = decodePng(readIcon(manifest.icons.color));
    return [(icon.width !== 192 || icon.height !== 192) && `${manifest.icons.color} is ${icon.width}x${icon.height}`];
  });
  checkSafely(`${where}: outline icon is a 32x32 PNG of white on fully transparent pixels`, () => {
    const icon = decodePng(readIcon(manifest.icons.outline));
    const problems = [(icon.width !== 32 || icon.height !== 32) && `${manifest.icons.outline} is ${icon.width}x${icon.height}`];
    const offending = [];
    let opaque = 0;
    for (let pixel = 0; pixel < icon.width * icon.height; pixel += 1) {
      const [red, green, blue, alpha] = icon.rgba.subarray(pixel * 4, pixel * 4 + 4);
      if (alpha === 0) continue;
      if (alpha === 255 && red === 255 && green === 255 && blue === 255) opaque += 1;
      else offending.push(`(${pixel % icon.width},${Math.floor(pixel / icon.width)}) is rgba(${red},${green},${blue},${alpha})`);
    }
    if (offending.length > 0) {
      problems.push(
        `${offending.length} pixel(s) are neither opaque white nor fully transparent, e.g. ${offending.slice(0, 3).join("; ")}`,
      );
    }
    if (opaque === 0) problems.push("the outline icon has no white pixels at all");
    return problems;
  });
}

// --- The committed manifest folder ---------------------------------------------------------------
const manifestDir = resolve(options["manifest-dir"]);
let manifest;
checkSafely(`manifest.json in ${manifestDir} is JSON`, () => {
  manifest = JSON.parse(readFileSync(join(manifestDir, "manifest.json"), "utf8"));
  return [];
});
if (manifest) {
  checkManifest("manifest.json", manifest, { expectPlaceholder: true });
  check("icons: paths are files at the manifest root", [
    ...["color", "outline"].map((kind) => {
      const path = manifest.icons?.[kind];
      if (typeof path !== "string" || path.includes("/")) return `icons.${kind} ${JSON.stringify(path)} is not a root file name`;
      return !existsSync(join(manifestDir, path)) && `icons.${kind} ${path} does not exist in ${manifestDir}`;
    }),
  ]);
  checkIcons("icons", manifest, (path) => readFileSync(join(manifestDir, path)));
}

// --- A built package ------------------------------------------------------------------------------
if (options["app-id"] && !GUID.test(options["app-id"])) {
  check("--app-id is a GUID", [`${options["app-id"]} is not a GUID`]);
}
if (options.package) {
  let entries;
  checkSafely(`package ${options.package} is a readable zip`, () => {
    entries = new Map(readZipEntries(readFileSync(options.package)).map((entry) => [entry.name, entry.data]));
    return [];
  });
  if (entries) {
    const names = [...entries.keys()];
    const expected = ["manifest.json", manifest?.icons?.color ?? "color.png", manifest?.icons?.outline ?? "outline.png"];
    check("package: manifest.json and both icons at the zip root, nothing else", [
      ...expected.map((name) => !entries.has(name) && `missing ${name} at the root (entries: ${names.join(", ")})`),
      ...names.filter((name) => !expected.includes(name)).map((name) => `unexpected entry ${name}`),
    ]);
    let packaged;
    checkSafely("package: manifest.json is JSON", () => {
      if (!entries.has("manifest.json")) return ["manifest.json is not at the package root"];
      packaged = JSON.parse(entries.get("manifest.json").toString("utf8"));
      return [];
    });
    if (packaged) {
      checkManifest("package manifest.json", packaged, { expectPlaceholder: false, appId: options["app-id"] });
      checkIcons("package icons", packaged, (path) => {
        if (!entries.has(path)) throw new Error(`${path} is not in the package`);
        return entries.get(path);
      });
    }
  }
}

console.log(`validate-manifest: ${passed} of ${passed + failed} checks passed`);
process.exitCode = failed === 0 ? 0 : 1;
