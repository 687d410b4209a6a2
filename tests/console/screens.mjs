// Screenshots of every console page against the fake server (`fake-server.mjs`), in both
// languages and themes, at laptop (1280 px) and phone (390 px) widths, with axe-core run on each
// page. Usage, after `cargo xtask dist`: `node tests/console/screens.mjs [out-dir]`. Pictures
// land in out-dir (default target/console-screens); axe violations are printed and make the
// exit status 1.
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { startFake } from "./fake-server.mjs";

const root = resolve(import.meta.dirname, "../..");
const out = resolve(process.argv[2] || join(root, "target/console-screens"));
mkdirSync(out, { recursive: true });
const axe = readFileSync(join(root, "node_modules/axe-core/axe.min.js"), "utf8");

const PAGES = [
  ["sign-in", "/console/sign-in", { signedOut: true }],
  ["setup", "/console/setup?token=abc", { signedOut: true }],
  ["sites", "/console/sites"],
  ["site", "/console/sites/demo"],
  ["rules", "/console/sites/demo/rules"],
  ["polls", "/console/sites/demo/polls"],
  ["poll", "/console/sites/demo/polls/favourite-feature"],
  ["lotteries", "/console/sites/demo/lotteries"],
  ["lottery", "/console/sites/demo/lotteries/spring-wheel"],
  ["rewards", "/console/sites/demo/rewards"],
  ["feedback", "/console/sites/demo/feedback"],
  ["members", "/console/sites/demo/members"],
  ["member", "/console/sites/demo/members/u-1042"],
  ["webhooks", "/console/sites/demo/webhooks"],
  ["audit", "/console/sites/demo/audit"],
  ["analytics", "/console/sites/demo/analytics"],
];
const VARIANTS = [
  { lang: "en", theme: "light", width: 1280 },
  { lang: "zh-CN", theme: "dark", width: 1280 },
  { lang: "en", theme: "dark", width: 390 },
  { lang: "zh-CN", theme: "light", width: 390 },
];

const { origin, db, server } = await startFake();
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let violations = 0;
try {
  for (const { lang, theme, width } of VARIANTS) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: lang });
    await context.addInitScript(([lang, theme]) => {
      localStorage.setItem("engage-console:lang", lang);
      localStorage.setItem("engage-console:theme", theme);
    }, [lang, theme]);
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    page.on("console", (m) => { if (m.type() === "error") console.error(`console: ${m.text()}`); });
    for (const [name, path, options = {}] of PAGES) {
      db.signedIn = !options.signedOut;
      await page.goto(origin + path);
      await page.waitForSelector("main h1", { timeout: 15000 });
      await page.waitForFunction(() => !document.querySelector(".state--loading"), null, { timeout: 15000 });
      const file = join(out, `${name}-${lang}-${theme}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await page.evaluate(axe);
      const result = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
        .map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`));
      for (const line of result) console.error(`axe ${name} ${lang} ${theme} ${width}: ${line}`);
      violations += result.length;
      // The page must never have parsed a member's or owner's text as HTML.
      const injected = await page.evaluate(() => document.querySelectorAll("main img, main b").length);
      if (injected > 0) { console.error(`${name}: text was rendered as HTML`); violations++; }
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`screenshots in ${out}; ${violations} problems`);
process.exit(violations ? 1 : 0);
