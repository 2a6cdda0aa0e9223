// Shared by validate-cards.mjs and render-cards.mjs: loads the adaptivecards library in Node and
// reads card files, which hold either an Adaptive Card or a full attachment {contentType, content}.
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

// The package's default (ESM) entry does not load in Node; its UMD build in dist/ does.
const require = createRequire(import.meta.url);
export const adaptiveCardsScriptPath = require.resolve("adaptivecards/dist/adaptivecards.js");
export const AdaptiveCards = require(adaptiveCardsScriptPath);

// Lists the *.json files of `dir`, sorted, as { name, path } where name has no extension.
export function listCardFiles(dir) {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ name: basename(file, ".json"), path: join(dir, file) }));
}

// Reads one file and returns { card, attachment, error }. `attachment` is what the bot sends
// (the file itself if it is an attachment, otherwise the card wrapped in one).
export function readCardFile(path) {
  let json;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return { error: `not JSON: ${error.message}` };
  }
  if (json && typeof json === "object" && "contentType" in json) {
    if (json.contentType !== ADAPTIVE_CARD_CONTENT_TYPE) {
      return { error: `attachment contentType is ${JSON.stringify(json.contentType)}, expected ${ADAPTIVE_CARD_CONTENT_TYPE}` };
    }
    if (!json.content || typeof json.content !== "object") return { error: "attachment has no content object" };
    return { card: json.content, attachment: json };
  }
  return { card: json, attachment: { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: json } };
}
