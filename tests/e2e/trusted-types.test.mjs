// Trusted Types end to end: host pages on their own origin whose Content-Security-Policy enforces
// Trusted Types (`require-trusted-types-for 'script'`), holding all five widgets as custom
// elements. The widgets never turn a string into HTML or script, so they need no policy at all:
// they work where the host allows none (`trusted-types 'none'`), and a host's own default
// policy, which the browser would ask about every string written to a sink, is never asked.
// The bundle's glue is checked to hold no such sink.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { callWithApiKey, cli, freePort, launchBrowser, mintToken, openPage, root, startServer } from "./harness.mjs";

const shots = join(root, "target", "e2e-screenshots");

let server;
let browser;
let site; // the host site, registered through the command line
let host; // its pages
let hostOrigin;

/** Calls the API with the site's API key, as its owner and its backend do. */
const owner = (method, path, payload) => callWithApiKey(server, site, method, path, payload);

// The host's policy, by page: a strict CSP (only Engage's scripts, wasm allowed, no inline
// anything), enforcing Trusted Types. `none` lets no policy be created at all; `default` lets
// only the host's own default policy be, which `/default-policy.js` creates.
function policyFor(kind) {
  const strict = `default-src 'self'; img-src data:; script-src 'self' ${server.origin} 'wasm-unsafe-eval'; ` +
    `connect-src ${server.origin}; style-src 'self'; require-trusted-types-for 'script'`;
  return kind === "default" ? `${strict}; trusted-types default` : `${strict}; trusted-types 'none'`;
}

// The host's default policy records every string the browser hands it (each one a write of a
// string to an HTML or script sink on this page) and lets none through. The host page itself
// then writes one string to innerHTML, so a recorder that sees nothing is known to work.
const DEFAULT_POLICY = `window.__sinkWrites = [];
trustedTypes.createPolicy("default", {
  createHTML(value, _, sink) { window.__sinkWrites.push(sink + ": " + value); return null; },
  createScript(value, _, sink) { window.__sinkWrites.push(sink + ": " + value); return null; },
  createScriptURL(value, _, sink) { window.__sinkWrites.push(sink + ": " + value); return null; },
});
addEventListener("load", () => {
  try { document.getElementById("host-note").innerHTML = "<b>host</b>"; } catch { /* refused, as it should be */ }
});`;

/** The host's page: `/?policy=none|default&member=…`, all five widgets signed in as `member`. */
function page(query) {
  const member = query.get("member");
  const token = mintToken({ secret: site.secret, site: "tt", member, name: member });
  const common = `site="tt" member-token="${token}"`;
  const policyScript = query.get("policy") === "default" ? `<script src="/default-policy.js"></script>` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Locked-down host</title>
<link rel="icon" href="data:,">${policyScript}<script type="module" src="${server.origin}/engage.js"></script></head>
<body><h1>Locked-down host</h1><p id="host-note"></p>
<engage-checkin ${common}></engage-checkin>
<engage-poll ${common} poll="lunch"></engage-poll>
<engage-lottery ${common} lottery="lucky"></engage-lottery>
<engage-feedback ${common} mode="inline"></engage-feedback>
<engage-leaderboard ${common}></engage-leaderboard>
</body></html>`;
}

before(async () => {
  const port = await freePort();
  hostOrigin = `http://localhost:${port}`;
  server = await startServer({
    before: (db) => {
      site = cli(db, ["site", "add", "--id", "tt", "--origin", hostOrigin, "--tz", "UTC", "--json"]);
    },
  });
  await owner("POST", "/api/v1/admin/sites/tt/polls", {
    id: "lunch", question: "Where shall we have lunch?", results: "always", points: 3,
    options: [{ id: "pizza", label: "Pizza" }, { id: "salad", label: "Salad" }],
  });
  const now = Date.now();
  await owner("POST", "/api/v1/admin/sites/tt/lotteries", {
    id: "lucky", mode: "wheel", prizes: [{ id: "mug", name: "Mug", weight: 1, stock: 5 }],
    no_prize_weight: 1, cost: 10, daily_spins: 5,
    opens_at: new Date(now - 60_000).toISOString(), closes_at: new Date(now + 86_400_000).toISOString(),
  });
  await owner("POST", "/api/v1/admin/sites/tt/lotteries/lucky/open");
  for (const member of ["ana", "ben"]) {
    await owner("POST", "/api/v1/sites/tt/events", { member, name: member, kind: "welcome", idempotency_key: `${member}-welcome`, points: 20 });
  }
  host = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/default-policy.js") {
      res.writeHead(200, { "content-type": "text/javascript", "content-security-policy": policyFor("default") });
      res.end(DEFAULT_POLICY);
    } else if (url.pathname === "/") {
      const kind = url.searchParams.get("policy");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": policyFor(kind) });
      res.end(page(url.searchParams));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => host.listen(port, "localhost", ok));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  host?.close();
  await server?.stop();
});

/** A new context (reduced motion, so the wheel stops at once) whose console warnings are kept. */
async function newContext() {
  const context = await browser.newContext({ locale: "en-US", reducedMotion: "reduce" });
  context.warnings = [];
  context.on("console", (m) => { if (m.type() === "warning") context.warnings.push(m.text()); });
  return context;
}

/** Checks in, votes, spins and sends feedback on the page, and sees the leaderboard follow. */
async function useEveryWidget(page) {
  const checkin = page.locator("engage-checkin");
  await checkin.locator(".engage-checkin__button").getByText("Check in", { exact: true }).click();
  await checkin.locator(".engage-checkin__button").getByText(/checked in today/i).waitFor();

  const poll = page.locator("engage-poll");
  await poll.locator('input[value="pizza"]').check();
  await poll.locator("button.engage-poll__button").click();
  await poll.locator(".engage-card__status").getByText(/Thanks for voting! \+3 points/).waitFor();

  const lottery = page.locator("engage-lottery");
  await lottery.locator("button.engage-lottery__button").getByText("Spin · 10 points").click();
  await lottery.locator("dialog[open]").waitFor();
  await lottery.locator(".engage-lottery__ok").click();

  const feedback = page.locator("engage-feedback");
  await feedback.locator("textarea").fill("Works under Trusted Types <b>too</b>");
  await feedback.locator("button.engage-feedback__submit").click();
  await feedback.getByText("Thanks! We read every message.").waitFor();

  // 20 welcome points + 10 for the check-in + 3 for the vote − 10 for the spin (the ledger's
  // points earned count the positive entries only: 33).
  const mine = page.locator("engage-leaderboard").locator('[aria-current="true"]');
  await mine.locator(".engage-leaderboard__points").getByText("33 pts", { exact: true }).waitFor();

  const events = await page.evaluate(() => window.__events.map((e) => e.type));
  assert.deepEqual(events.filter((t) => t === "engage:error"), []);
  assert.ok(events.includes("engage:checkin"), events.join(", "));
  assert.ok(events.includes("engage:vote"), events.join(", "));
  assert.equal(events.filter((t) => t === "engage:ready").length, 5, events.join(", "));
}

describe("a host page that enforces Trusted Types", () => {
  test("all five widgets render and work as custom elements where no policy may be created", async () => {
    const context = await newContext();
    const url = `${hostOrigin}/?policy=none&member=ana`;
    const policy = (await fetch(url)).headers.get("content-security-policy");
    assert.match(policy, /require-trusted-types-for 'script'; trusted-types 'none'$/);
    const page = await openPage(context, url);
    await useEveryWidget(page);
    await page.screenshot({ path: join(shots, "trusted-types-none.png"), fullPage: true });
    // Nothing was refused, nothing thrown, nothing to warn about: not even a fallback.
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(context.warnings, []);
    await context.close();
  });

  test("a host's own default policy is never asked about a string from Engage", async () => {
    const context = await newContext();
    const page = await openPage(context, `${hostOrigin}/?policy=default&member=ben`);
    await useEveryWidget(page);
    // The one write the policy saw is the host's own, which it refused: one violation and the
    // browser's console error about it, both the host's.
    assert.deepEqual(await page.evaluate(() => window.__sinkWrites), ["Element innerHTML: <b>host</b>"]);
    assert.deepEqual(await page.evaluate(() => window.__violations), ["require-trusted-types-for trusted-types-sink"]);
    assert.equal(page.problems.length, 1, page.problems.join("\n"));
    assert.match(page.problems[0], /^console: .*TrustedHTML/);
    assert.deepEqual(context.warnings, []);
    await context.close();
  });
});

test("the bundle's glue writes no string to an HTML or script sink", () => {
  // Every DOM call of the wasm goes through the JS glue, so a sink absent from the glue (and
  // from the loader) is one the widgets cannot reach. Were one to come back — a `view!` of
  // fully static markup, `inner_html`, a Leptos upgrade — this names it.
  const sinks = /\.(innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment|setHTMLUnsafe|parseHTMLUnsafe|parseFromString|srcdoc|write|writeln)\b|\beval\(|new Function\(/g;
  for (const file of ["dist/pkg/engage_widgets.js", "dist/engage.js", "dist/embed.js"]) {
    const found = readFileSync(join(root, file), "utf8").match(sinks) ?? [];
    assert.deepEqual(found, [], file);
  }
});
