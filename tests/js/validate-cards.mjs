// Validates every *.json in a folder as an Adaptive Card the way Teams will get it.
// Each file holds an Adaptive Card, or a full attachment {contentType, content}; both are accepted.
//
// Usage: node validate-cards.mjs <dir>
//
// For each card it:
// - parses it with the adaptivecards library (3.0.x) targeting schema 1.5, the highest Teams
//   supports, and reports every parse-time event (unknown element or action types, invalid
//   property values) and every validateProperties() event (duplicate ids, inputs without ids, empty
//   choice sets, required inputs without label or error message, ...);
// - checks the Teams rules the library does not know (shared docs botframework.md section 5):
//   version at most 1.5, each Action.Execute inside an ActionSet with an Action.Submit fallback,
//   refresh.userIds at most 60;
// - measures the payload: the attachment as compact UTF-8 JSON, which must be at most 28 KB
//   (28 * 1024 bytes), the older Teams guidance and the safe limit.
// Prints one line per card with its size, lists each problem under it, and exits 1 if any card failed.
import { basename } from "node:path";
import { AdaptiveCards as AC, listCardFiles, readCardFile } from "./lib/cards.mjs";

const MAX_PAYLOAD_BYTES = 28 * 1024;
const MAX_REFRESH_USER_IDS = 60;

const dir = process.argv[2];
if (!dir || process.argv.length > 3) {
  console.error("usage: node validate-cards.mjs <dir>");
  process.exit(2);
}

function libraryProblems(card) {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const adaptiveCard = new AC.AdaptiveCard();
  adaptiveCard.parse(card, context);
  const problems = [];
  for (let index = 0; index < context.eventCount; index += 1) {
    problems.push(describeEvent(context.getEventAt(index)));
  }
  for (const event of adaptiveCard.validateProperties().validationEvents) {
    problems.push(describeEvent(event));
  }
  return problems;
}

function describeEvent(event) {
  const phase = AC.ValidationPhase[event.phase];
  const kind = AC.ValidationEvent[event.event];
  // Name the element or action the event is about, when the library says which one it is.
  const source = event.source;
  const typeName = typeof source?.getJsonTypeName === "function" ? source.getJsonTypeName() : undefined;
  const where = typeName ? ` [${typeName}${source.id ? ` "${source.id}"` : ""}]` : "";
  return `${phase} ${kind}${where}: ${event.message}`;
}

// Walks the card's JSON and calls visit(node, path, parent) for every object.
function walk(node, visit, path = "$", parent = undefined) {
  if (Array.isArray(node)) {
    node.forEach((child, index) => walk(child, visit, `${path}[${index}]`, parent));
  } else if (node && typeof node === "object") {
    visit(node, path, parent);
    for (const [key, child] of Object.entries(node)) walk(child, visit, `${path}.${key}`, node);
  }
}

function teamsProblems(card) {
  const problems = [];
  if (card.type !== "AdaptiveCard") return problems; // The library already reports this.
  const [major, minor] = String(card.version ?? "").split(".").map(Number);
  if (card.version === undefined) problems.push('Teams: "version" is missing (use "1.5")');
  else if (!(major === 1 && minor >= 0 && minor <= 5)) problems.push(`Teams: version ${card.version} is above 1.5, the highest Teams renders`);

  walk(card, (node, path, parent) => {
    if (node.type !== "Action.Execute" || path.endsWith(".fallback")) return;
    // A card's Universal Actions refresh is an Action.Execute by the schema; a client
    // without refresh ignores the whole `refresh`, so it needs neither ActionSet nor fallback.
    if (path === "$.refresh.action") return;
    if (parent?.type !== "ActionSet") {
      problems.push(`Teams: ${path} Action.Execute is not inside an ActionSet (older clients ignore its fallback)`);
    }
    if (node.fallback?.type !== "Action.Submit") {
      problems.push(`Teams: ${path} Action.Execute has no Action.Submit fallback for older clients`);
    }
  });
  if (card.refresh && card.refresh.action?.type !== "Action.Execute") {
    problems.push("Teams: refresh.action must be an Action.Execute");
  }
  const userIds = card.refresh?.userIds;
  if (Array.isArray(userIds) && userIds.length > MAX_REFRESH_USER_IDS) {
    problems.push(`Teams: refresh.userIds has ${userIds.length} entries, at most ${MAX_REFRESH_USER_IDS}`);
  }
  return problems;
}

const files = listCardFiles(dir);
if (files.length === 0) {
  console.error(`validate-cards: no *.json files in ${dir}`);
  process.exit(1);
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const { card, attachment, error } = readCardFile(file.path);
  let problems;
  let sizeNote = "";
  if (error) {
    problems = [error];
  } else {
    const bytes = Buffer.byteLength(JSON.stringify(attachment), "utf8");
    sizeNote = ` (${bytes} bytes, ${((bytes / MAX_PAYLOAD_BYTES) * 100).toFixed(1)}% of 28 KB)`;
    problems = [...libraryProblems(card), ...teamsProblems(card)];
    if (bytes > MAX_PAYLOAD_BYTES) problems.push(`payload is ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`);
  }
  if (problems.length === 0) {
    passed += 1;
    console.log(`ok   ${basename(file.path)}${sizeNote}`);
  } else {
    failed += 1;
    console.log(`FAIL ${basename(file.path)}${sizeNote}`);
    for (const problem of problems) console.log(`       - ${problem}`);
  }
}
console.log(`validate-cards: ${passed} of ${passed + failed} cards valid`);
process.exitCode = failed === 0 ? 0 : 1;
