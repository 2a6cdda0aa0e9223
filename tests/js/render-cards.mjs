// Renders every *.json card in a folder to PNG with the adaptivecards renderer in headless
// Chromium, with a Teams-like host config (lib/teams-theme.mjs), so a person can look at them.
// Each file holds an Adaptive Card or a full attachment {contentType, content}.
//
// Usage: node render-cards.mjs <dir> <outdir>
// Writes <outdir>/<name>.png (card 500 px wide, desktop) and <outdir>/<name>-mobile.png (360 px).
// Uses Debian's Chromium (/usr/bin/chromium, or $CHROMIUM_PATH) through playwright-core; the
// adaptivecards script is read from node_modules and injected into the page, so no network is used.
// Exits 1 if a card cannot be read or rendered (the renderer returns nothing, or logs an error).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { adaptiveCardsScriptPath, listCardFiles, readCardFile } from "./lib/cards.mjs";
import { hostConfig, pageCss } from "./lib/teams-theme.mjs";

const WIDTHS = [
  { suffix: "", cardWidth: 500 },
  { suffix: "-mobile", cardWidth: 360 },
];

const [dir, outDir] = process.argv.slice(2);
if (!dir || !outDir || process.argv.length > 4) {
  console.error("usage: node render-cards.mjs <dir> <outdir>");
  process.exit(2);
}

const files = listCardFiles(dir);
if (files.length === 0) {
  console.error(`render-cards: no *.json files in ${dir}`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });

const adaptiveCardsScript = readFileSync(adaptiveCardsScriptPath, "utf8");
const pageHtml = `<!doctype html><html><head><meta charset="utf-8"><style>${pageCss}</style></head>
<body><div id="frame"><div id="card"></div></div></body></html>`;

// Runs inside the page: renders `card` into #card and returns an error string, or null.
// Teams renders a subset of Markdown in TextBlocks; this covers what our cards use (bold, italic,
// inline code, links, line breaks) and escapes everything else, like Teams does.
function renderInPage({ card, hostConfig, cardWidth }) {
  const AC = window.AdaptiveCards;
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    result.outputHtml = escaped
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[\s(])_([^_]+)_(?=[\s).,!?]|$)/g, "$1<em>$2</em>")
      .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>')
      .replace(/\n/g, "<br>");
    result.didProcess = true;
  };
  const target = document.getElementById("card");
  target.style.width = `${cardWidth}px`;
  const adaptiveCard = new AC.AdaptiveCard();
  adaptiveCard.hostConfig = new AC.HostConfig(hostConfig);
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  adaptiveCard.parse(card, context);
  const rendered = adaptiveCard.render();
  if (!rendered) return "the renderer returned no element";
  target.replaceChildren(rendered);
  return null;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
let failures = 0;
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 1 });
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });
  // Refuse every request: the page must not need the network.
  await page.route("**/*", (route) => route.abort());

  for (const file of files) {
    const { card, error } = readCardFile(file.path);
    if (error) {
      failures += 1;
      console.log(`FAIL ${file.name}: ${error}`);
      continue;
    }
    for (const { suffix, cardWidth } of WIDTHS) {
      pageErrors.length = 0;
      await page.setViewportSize({ width: cardWidth + 32, height: 600 });
      await page.setContent(pageHtml);
      await page.addScriptTag({ content: adaptiveCardsScript });
      const renderError = await page.evaluate(renderInPage, { card, hostConfig, cardWidth });
      await page.evaluate(() => document.fonts.ready);
      const outPath = join(outDir, `${file.name}${suffix}.png`);
      const problem = renderError ?? pageErrors[0];
      if (problem) {
        failures += 1;
        console.log(`FAIL ${file.name}${suffix}: ${problem}`);
        continue;
      }
      await page.locator("#frame").screenshot({ path: outPath });
      const box = await page.locator("#card").boundingBox();
      console.log(`ok   ${outPath} (card ${Math.round(box.width)}x${Math.round(box.height)} px)`);
    }
  }
} finally {
  await browser.close();
}
console.log(`render-cards: ${files.length * WIDTHS.length - failures} of ${files.length * WIDTHS.length} images written`);
process.exitCode = failures === 0 ? 0 : 1;
