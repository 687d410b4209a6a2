// The check-in widget end to end: the demo page in real Chromium against a real server and a
// real SQLite file — sign in, check in, reload, never twice; strict CSP; both languages and
// themes; cross-origin embedding with a token minted the way a host backend does.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { axeViolations, cli, freePort, launchBrowser, mintToken, openPage, root, startServer } from "./harness.mjs";

const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'";
const shots = join(root, "target", "e2e-screenshots");

let server;
let browser;
let acme; // a second site, registered through the command line like an owner would
let hostPort; // where that site's own pages are served

before(async () => {
  hostPort = await freePort();
  server = await startServer({
    before: (db) => {
      acme = cli(db, ["site", "add", "--id", "acme", "--origin", `http://localhost:${hostPort}`, "--tz", "America/New_York", "--json"]);
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const widget = (page) => page.locator("engage-checkin");
const button = (page) => widget(page).locator(".engage-checkin__button");
const stats = (page) => widget(page).locator(".engage-checkin__stat-value");
const status = (page) => widget(page).locator(".engage-checkin__status");

/** The three stat values, once they read `expected` (a reload or a new token renders the card
 * again, so they are read until they settle, for at most five seconds). */
async function assertStats(page, expected) {
  let texts = [];
  for (let tries = 0; tries < 50; tries++) {
    texts = await stats(page).allInnerTexts();
    if (JSON.stringify(texts) === JSON.stringify(expected)) return;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(texts, expected);
}

async function signIn(page, member) {
  await page.selectOption("#demo-member", member);
  await button(page).waitFor();
}

async function apiAs(page, member, path, init = {}) {
  return page.evaluate(async ({ member, path, init }) => {
    const minted = await fetch("/api/v1/demo/token", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ member }),
    }).then((r) => r.json());
    const response = await fetch(path, { ...init, headers: { authorization: `Bearer ${minted.token}`, "content-type": "application/json" } });
    return { status: response.status, body: await response.json() };
  }, { member, path, init });
}

describe("check-in on the demo page", () => {
  test("a member checks in once, sees streak and points, and it survives a reload", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${server.origin}/`);
    // Signed out: the widget says so and offers no button.
    await widget(page).getByText(/sign in/i).first().waitFor();
    assert.equal(await button(page).count(), 0);

    await signIn(page, "alice");
    await assert.doesNotReject(button(page).getByText("Check in", { exact: true }).waitFor());
    assert.deepEqual(await stats(page).allInnerTexts(), ["0 days", "0 days", "0"]);

    // A double click: one award only.
    await button(page).dblclick();
    await button(page).getByText(/checked in today/i).waitFor();
    await status(page).getByText(/\+10/).waitFor();
    assert.deepEqual(await stats(page).allInnerTexts(), ["1 day", "1 day", "10"]);
    assert.equal(await button(page).isDisabled(), true);

    const events = await page.evaluate(() => window.__events.map((e) => e.type));
    assert.ok(events.includes("engage:ready"), `events: ${events}`);
    assert.equal(events.filter((t) => t === "engage:checkin").length, 1, `events: ${events}`);
    const detail = await page.evaluate(() => window.__events.find((e) => e.type === "engage:checkin").detail);
    assert.equal(detail.awarded, 10);
    assert.equal(detail.streak, 1);

    // Reload: persisted, still checked in, nothing more to click.
    await page.reload();
    await page.selectOption("#demo-member", "alice").catch(() => {});
    await button(page).getByText(/checked in today/i).waitFor();
    await assertStats(page, ["1 day", "1 day", "10"]);
    // Today is marked in the calendar.
    await widget(page).locator(".engage-checkin__day--checked").first().waitFor();

    // Another try straight at the API awards nothing.
    const again = await apiAs(page, "alice", "/api/v1/sites/demo/checkin", { method: "POST", body: "{}" });
    assert.equal(again.status, 200);
    assert.equal(again.body.already, true);
    assert.equal(again.body.awarded, 0);
    assert.equal(again.body.points, 10);
    const me = await apiAs(page, "alice", "/api/v1/sites/demo/me");
    assert.equal(me.body.ledger.filter((e) => e.source === "checkin").length, 1);

    assert.deepEqual(page.problems, []);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    await context.close();
  });

  test("the same page under a strict Content-Security-Policy works with no violation", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${server.origin}/?csp=strict`);
    const response = await page.reload();
    assert.equal(response.headers()["content-security-policy"], STRICT_CSP);
    await signIn(page, "bob");
    await button(page).getByText("Check in", { exact: true }).waitFor();
    await button(page).click();
    await button(page).getByText(/checked in today/i).waitFor();
    assert.deepEqual(await stats(page).allInnerTexts(), ["1 day", "1 day", "10"]);
    await page.screenshot({ path: join(shots, "checkin-en-light-csp.png") });
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test("Chinese and dark theme, switched live on the element", async () => {
    const context = await browser.newContext({ locale: "zh-CN", colorScheme: "dark" });
    const page = await openPage(context, `${server.origin}/?csp=strict`);
    await page.selectOption("#demo-lang", "zh-CN");
    await page.selectOption("#demo-theme", "dark");
    await signIn(page, "xiaoming");
    await button(page).getByText("签到", { exact: true }).waitFor();
    await widget(page).getByText("每日签到").waitFor();
    const background = await widget(page).locator(".engage-checkin").evaluate((el) => getComputedStyle(el).backgroundColor);
    const [r, g, b] = background.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 200, `dark background expected, got ${background}`);
    await page.screenshot({ path: join(shots, "checkin-zh-dark.png") });
    // Back to English without a reload.
    await page.selectOption("#demo-lang", "en");
    await button(page).getByText("Check in", { exact: true }).waitFor();
    assert.deepEqual(page.problems, []);
    await context.close();
  });

  test("hostile host CSS does not reach inside, and the box is reserved before render", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    const box = await widget(page).boundingBox();
    await signIn(page, "mei");
    const buttonFont = await button(page).evaluate((el) => getComputedStyle(el).fontFamily);
    assert.doesNotMatch(buttonFont, /Comic Sans/);
    const buttonBackground = await button(page).evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(buttonBackground, "rgb(255, 105, 180)");
    // Inherited properties of the host page stop at the shadow root too.
    const inherited = await widget(page).locator(".engage-checkin__title").evaluate((el) => {
      const s = getComputedStyle(el);
      return [s.letterSpacing, s.textTransform, s.fontStyle, s.wordSpacing];
    });
    assert.deepEqual(inherited, ["normal", "none", "normal", "0px"]);
    const after = await widget(page).boundingBox();
    assert.ok(Math.abs(after.height - box.height) <= 2, `height moved from ${box.height} to ${after.height}`);
    await context.close();
  });

  test("two tabs pressing Enter at once award one check-in", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const tabs = [await openPage(context, `${server.origin}/`), await openPage(context, `${server.origin}/`)];
    for (const tab of tabs) {
      await signIn(tab, "xiaoming");
      await button(tab).getByText("Check in", { exact: true }).waitFor();
      // Keyboard only: focus the native button and press Enter.
      await button(tab).focus();
    }
    await Promise.all(tabs.map((tab) => tab.keyboard.press("Enter")));
    for (const tab of tabs) {
      await button(tab).getByText(/checked in today/i).waitFor();
      assert.deepEqual(await stats(tab).allInnerTexts(), ["1 day", "1 day", "10"]);
    }
    const me = await apiAs(tabs[0], "xiaoming", "/api/v1/sites/demo/me");
    assert.equal(me.body.points, 10);
    assert.equal(me.body.ledger.filter((e) => e.source === "checkin").length, 1);
    for (const tab of tabs) assert.deepEqual(tab.problems, []);
    await context.close();
  });

  test("removing, re-adding and re-identifying the element", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${server.origin}/`);
    await signIn(page, "alice");
    await page.evaluate(() => {
      const el = document.querySelector("engage-checkin");
      window.__parked = el.parentElement;
      el.remove();
    });
    assert.equal(await widget(page).count(), 0);
    await page.evaluate(() => {
      const el = document.createElement("engage-checkin");
      el.setAttribute("site", "demo");
      window.__parked.append(el);
    });
    // A new element without a token: signed out; identify() signs every widget in.
    await widget(page).getByText(/sign in/i).first().waitFor();
    const token = await page.evaluate(async () => {
      const r = await fetch("/api/v1/demo/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ member: "bob" }) });
      return (await r.json()).token;
    });
    await page.evaluate((t) => window.Engage.identify(t), token);
    await button(page).getByText(/checked in today/i).waitFor();
    assert.deepEqual(page.problems, []);
    await context.close();
  });
});

describe("accessibility", () => {
  for (const [lang, theme] of [["en", "light"], ["zh-CN", "dark"]]) {
    test(`axe-core finds no WCAG 2.1 AA violation (${lang}, ${theme})`, async () => {
      const context = await browser.newContext({ bypassCSP: true });
      const page = await openPage(context, `${server.origin}/`);
      await page.selectOption("#demo-lang", lang);
      await page.selectOption("#demo-theme", theme);
      await signIn(page, "mei");
      await widget(page).locator(".engage-checkin__day").first().waitFor();
      assert.deepEqual(await axeViolations(page, "engage-checkin"), []);
      await context.close();
    });
  }
});

describe("embedding on another origin", () => {
  /** Serves `files` (path → [content type, body]) at http://localhost:<hostPort>, with `csp`. */
  async function hostSite(files, csp) {
    const host = createServer((req, res) => {
      const file = files[new URL(req.url, "http://x").pathname];
      if (!file) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": file[0], "content-security-policy": csp });
      res.end(file[1]);
    });
    await new Promise((ok) => host.listen(hostPort, "localhost", ok));
    return host;
  }

  test("a host page on its own origin, with its own token and a strict CSP", async () => {
    const hostOrigin = `http://localhost:${hostPort}`;
    const token = mintToken({ secret: acme.secret, site: "acme", member: "u-42", name: "Dana" });
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title>
<link rel="icon" href="data:,"><script type="module" src="${server.origin}/engage.js"></script></head>
<body><h1>Acme blog</h1><engage-checkin site="acme" member-token="${token}"></engage-checkin></body></html>`;
    const host = await hostSite(
      { "/": ["text/html; charset=utf-8", html] },
      `default-src 'self'; img-src data:; script-src ${server.origin} 'wasm-unsafe-eval'; connect-src ${server.origin}; style-src 'self'`,
    );
    try {
      const context = await browser.newContext({ locale: "en-US" });
      const page = await openPage(context, `${hostOrigin}/`);
      await button(page).getByText("Check in", { exact: true }).waitFor();
      await button(page).click();
      await button(page).getByText(/checked in today/i).waitFor();
      assert.deepEqual(await stats(page).allInnerTexts(), ["1 day", "1 day", "10"]);
      assert.deepEqual(await page.evaluate(() => window.__violations), []);
      assert.deepEqual(page.problems, []);
      await context.close();
    } finally {
      host.close();
    }
  });

  test("Engage.identify queued by the host before the loader runs is replayed", async () => {
    const token = mintToken({ secret: acme.secret, site: "acme", member: "u-88", name: "Ren" });
    // The host's own early script (a file, as its strict CSP wants): a stub that queues calls.
    const stub = `window.Engage = window.Engage || { q: [], identify(t) { this.q.push(["identify", t]); } };
window.Engage.identify(${JSON.stringify(token)});`;
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Early</title>
<link rel="icon" href="data:,"><script src="/stub.js"></script>
<script type="module" src="${server.origin}/engage.js"></script></head>
<body><engage-checkin site="acme"></engage-checkin></body></html>`;
    const host = await hostSite(
      { "/": ["text/html; charset=utf-8", html], "/stub.js": ["text/javascript", stub] },
      `default-src 'self'; img-src data:; script-src 'self' ${server.origin} 'wasm-unsafe-eval'; connect-src ${server.origin}; style-src 'self'`,
    );
    try {
      const context = await browser.newContext({ locale: "en-US" });
      const page = await openPage(context, `http://localhost:${hostPort}/`);
      await button(page).getByText("Check in", { exact: true }).waitFor();
      assert.equal(await page.evaluate(() => typeof window.Engage.ready?.then), "function");
      assert.deepEqual(page.problems, []);
      await context.close();
    } finally {
      host.close();
    }
  });

  test("iframe mode serves a host whose policy allows no script from Engage at all", async () => {
    const token = mintToken({ secret: acme.secret, site: "acme", member: "u-77", name: "Lee" });
    // The host's own script: hand the token over, listen to what the widget reports, size the frame.
    const hostScript = `
const frame = document.querySelector("iframe");
window.__messages = [];
addEventListener("message", (event) => {
  if (event.origin !== ${JSON.stringify(server.origin)}) return;
  window.__messages.push(event.data);
  if (event.data.type === "engage:resize") frame.height = event.data.height;
  if (event.data.type === "engage:embed") frame.contentWindow.postMessage({ type: "engage:identify", token: ${JSON.stringify(token)} }, ${JSON.stringify(server.origin)});
});`;
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Locked-down host</title>
<link rel="icon" href="data:,"><script src="/host.js" defer></script></head>
<body><h1>Locked-down host</h1>
<iframe title="Daily check-in" src="${server.origin}/embed/checkin?site=acme&lang=en" width="360" height="200"></iframe></body></html>`;
    const host = await hostSite(
      { "/": ["text/html; charset=utf-8", html], "/host.js": ["text/javascript", hostScript] },
      `default-src 'self'; img-src data:; script-src 'self'; style-src 'self'; frame-src ${server.origin}`,
    );
    try {
      const context = await browser.newContext({ locale: "en-US" });
      const page = await openPage(context, `http://localhost:${hostPort}/`);
      const frame = page.frameLocator("iframe");
      const frameButton = frame.locator("engage-checkin .engage-checkin__button");
      await frameButton.getByText("Check in", { exact: true }).waitFor();
      await frameButton.click();
      await frameButton.getByText(/checked in today/i).waitFor();
      await page.waitForFunction(() => window.__messages.some((m) => m.type === "engage:checkin"));
      const messages = await page.evaluate(() => window.__messages);
      const checkin = messages.find((m) => m.type === "engage:checkin");
      assert.equal(checkin.detail.awarded, 10);
      // The host sized the frame to the widget.
      const height = await page.locator("iframe").evaluate((f) => Number(f.height));
      assert.ok(height > 400, `frame height ${height}`);
      assert.deepEqual(await page.evaluate(() => window.__violations), []);
      assert.deepEqual(page.problems, []);
      await context.close();
    } finally {
      host.close();
    }
  });
});

test("the bundle is served compressed, with the wasm content type and cache headers", async () => {
  const loader = await fetch(`${server.origin}/engage.js`, { headers: { "accept-encoding": "br" } });
  assert.equal(loader.status, 200);
  const text = await loader.text();
  const version = text.match(/const VERSION = '([0-9a-f]+)'/)?.[1];
  assert.ok(version, "the loader names its bundle version");
  const wasm = await fetch(`${server.origin}/pkg/engage_widgets_bg.wasm?v=${version}`, { headers: { "accept-encoding": "br" } });
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  assert.equal(wasm.headers.get("content-encoding"), "br");
  assert.match(wasm.headers.get("cache-control"), /immutable/);
  assert.equal(wasm.headers.get("access-control-allow-origin"), "*");
  const budget = JSON.parse(readFileSync(join(root, "tests/size-budget.json"), "utf8"));
  assert.ok(budget.brotli_total_bytes > 0);
});
