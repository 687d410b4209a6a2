// The owner console end to end: real Chromium against the real server and a real SQLite file.
// An owner made with `owner add` signs in (in English and Chinese), creates a site and puts the
// embed builder's snippet on a host page of its own origin, edits and installs rules, creates a
// poll that members vote on from a host page, answers feedback that the member reads in the
// widget, adjusts a member's points (the member sees the entry and its reason in `/me`),
// exports members as CSV, and every console page passes axe-core in both languages and themes,
// with owner-provided and member-provided text always shown as text.
//
// Tests run in order and share one server; each names what it relies on from earlier ones.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  axeViolations, callWithApiKey, cli, freePort, launchBrowser, mintToken, root, startServer,
} from "./harness.mjs";

const shots = join(root, "target", "e2e-screenshots");
const EMAIL = "owner@example.com";
const PASSWORD = "a long owner password";
const HOSTILE = "<img src=x onerror=alert(1)>";

let server;
let browser;
let club; // `site add --json` of the site registered on the command line
let hostOrigin;
let host;
const hostPages = new Map();

/** Calls the club's API as its backend does, with its API key. */
const api = (method, path, body) => callWithApiKey(server, club, method, path, body);

/** A page of the host site (its own origin, its own strict CSP) holding `body`; its URL. */
function hostPage(body, { title = "Club news", script = true } = {}) {
  const path = `/page-${hostPages.size + 1}`;
  const loader = script ? `<script type="module" src="${server.origin}/engage.js"></script>` : "";
  hostPages.set(path, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="/favicon.ico">${loader}</head>
<body><h1>${title}</h1>${body}</body></html>`);
  return hostOrigin + path;
}

/** The member token the club's backend puts on its pages. */
const token = (member, name = member, site = club) => mintToken({ secret: site.secret, site: site.site ?? "club", member, name });

before(async () => {
  const hostPort = await freePort();
  hostOrigin = `http://localhost:${hostPort}`;
  server = await startServer({
    before: (db) => {
      club = cli(db, ["site", "add", "--id", "club", "--origin", hostOrigin, "--tz", "UTC", "--json"]);
      cli(db, ["owner", "add", "--email", EMAIL, "--password-stdin", "--admin", "--json"], { input: `${PASSWORD}\n` });
    },
  });
  host = createHttpServer((req, res) => {
    const html = hostPages.get(req.url);
    if (!html) {
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy":
        `default-src 'self'; script-src ${server.origin} 'wasm-unsafe-eval'; connect-src ${server.origin}; style-src 'self'`,
    });
    res.end(html);
  });
  await new Promise((ok) => host.listen(hostPort, "localhost", ok));
  browser = await launchBrowser();
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  host?.close();
  await server?.stop();
});

/**
 * A browser context in `lang` and `theme` (the console's own switches, remembered in
 * localStorage) that fails the test on any page error, console error or dialog.
 */
async function newContext({ lang = "en", theme = "light", viewport = { width: 1280, height: 900 }, allow = [], ...options } = {}) {
  const context = await browser.newContext({ locale: lang === "en" ? "en-US" : lang, viewport, ...options });
  await context.addInitScript(([lang, theme]) => {
    // Also runs in opaque-origin documents (sandboxed frames), which have no storage.
    try {
      localStorage.setItem("engage-console:lang", lang);
      localStorage.setItem("engage-console:theme", theme);
    } catch { /* not the console */ }
  }, [lang, theme]);
  context.problems = [];
  context.on("page", (page) => watch(page, context.problems, allow));
  return context;
}

/** Records what must never happen; `allow` lists HTTP statuses a test expects answers with. */
function watch(page, problems, allow) {
  const expected = [401, ...allow].map((status) => `status of ${status} `);
  page.on("console", (m) => {
    // Signed out, the console's first look at its session is answered 401, as it should be;
    // Chromium logs every 4xx answer as an error.
    if (m.type() === "error" && !expected.some((e) => m.text().includes(e))) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
}

/** Signs in through the form; resolves on the first signed-in page. */
async function signIn(context, { email = "Email", password = "Password", button = "Sign in" } = {}) {
  const page = await context.newPage();
  await page.goto(`${server.origin}/console/sign-in`);
  await page.getByLabel(email, { exact: true }).fill(EMAIL);
  await page.getByLabel(password, { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.locator(".topbar__owner").getByText(EMAIL).waitFor();
  return page;
}

/** Opens a console page and waits until it has loaded. */
async function open(page, path) {
  await page.goto(`${server.origin}/console${path}`);
  await page.waitForSelector("main h1");
  await page.waitForFunction(() => !document.querySelector(".state--loading"));
}

async function clean(context) {
  assert.deepEqual(context.problems, []);
  await context.close();
}

/** The session as the server sees it from this page (its cookie). */
const sessionStatus = (page) => page.evaluate(async () => (await fetch("/api/v1/console/session")).status);

describe("the owner console against the real server", () => {
  test("an owner signs in and out; a wrong password says so; the form in Chinese", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/console`);
    // Signed out, every console address leads to the sign-in form.
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    await page.getByLabel("Email", { exact: true }).fill(EMAIL);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("The email or password is wrong.").waitFor();
    assert.equal(await sessionStatus(page), 401);

    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.locator(".topbar__owner").getByText(EMAIL).waitFor();
    assert.equal(await sessionStatus(page), 200);
    const cookies = await context.cookies(server.origin);
    const cookie = cookies.find((c) => c.name === "engage_session");
    assert.ok(cookie, "the session cookie is set");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");

    // The session outlives a reload; signing out ends it on the server too.
    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    assert.equal(await sessionStatus(page), 401);
    await page.reload();
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    await clean(context);

    const zh = await newContext({ lang: "zh-CN" });
    const zhPage = await signIn(zh, { email: "邮箱", password: "密码", button: "登录" });
    await zhPage.getByRole("button", { name: "退出登录" }).waitFor();
    await clean(zh);
  });

  test("an owner creates a site, sees its secret and API key once, and embeds its snippet on a host page", async () => {
    const context = await newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    const page = await signIn(context);
    await open(page, "/sites");
    await page.getByLabel("Site id").fill("garden");
    await page.getByLabel("Name", { exact: true }).fill("Garden club");
    await page.getByLabel("Time zone").fill("Europe/Berlin");
    await page.getByLabel("Allowed origins").fill(hostOrigin);
    await page.getByRole("button", { name: "Create site" }).click();
    const notice = page.locator(".notice--success");
    await notice.getByText("Site created: garden").waitFor();
    const secret = (await notice.locator(".secret__value").nth(0).textContent()).trim();
    const apiKey = (await notice.locator(".secret__value").nth(1).textContent()).trim();
    assert.ok(secret.length >= 32, `a secret: ${secret}`);
    assert.match(apiKey, /^ek_/);
    await page.locator("table").getByRole("link", { name: "garden" }).waitFor();

    // The API key works as the site's backend's key; the secret is not shown again.
    const garden = { site: "garden", secret, api_key: apiKey };
    const view = await callWithApiKey(server, garden, "GET", "/api/v1/admin/sites/garden");
    assert.deepEqual({ id: view.id, name: view.name, tz: view.tz, origins: view.origins },
      { id: "garden", name: "Garden club", tz: "Europe/Berlin", origins: [hostOrigin] });
    await open(page, "/sites/garden");
    await page.getByRole("heading", { name: "Embed a widget" }).waitFor();
    assert.equal(await page.getByText(secret).count(), 0);
    assert.equal(await page.getByText(apiKey).count(), 0);

    // The embed builder's snippet, copied with its button, is the one shown.
    await page.getByRole("button", { name: "Copy snippet" }).click();
    await page.getByText("Copied", { exact: true }).waitFor();
    const snippet = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(snippet, await page.locator(".snippet pre code").first().textContent());
    assert.equal(snippet,
      `<script type="module" src="${server.origin}/engage.js"></script>\n` +
      `<engage-checkin site="garden" member-token="…"></engage-checkin>`);

    // The host's backend fills in the member token; the widget renders on the host's page.
    const html = snippet.replace('member-token="…"', `member-token="${token("gina", "Gina", garden)}"`);
    const hostContext = await newContext();
    const hostTab = await hostContext.newPage();
    // The snippet as copied, script tag and all, is the page's only mention of Engage.
    await hostTab.goto(hostPage(html, { title: "Garden news", script: false }));
    const button = hostTab.locator("engage-checkin .engage-checkin__button");
    await button.getByText("Check in", { exact: true }).waitFor();
    await button.click();
    await hostTab.locator("engage-checkin").getByText(/\+\d+ points/).first().waitFor();
    await clean(hostContext);
    await clean(context);
  });

  test("rules with an error show it at its line; fixed, they install and appear in the history", async () => {
    const context = await newContext();
    const page = await signIn(context);
    await open(page, "/sites/club/rules");
    const editor = page.locator("#rules-text");
    await page.getByText("This site runs on the default rules.").waitFor();
    const valid = `[checkin]\npoints = 7\n\n[[levels]]\nmin_points = 0\ntitle = "Seedling"\n\n[[levels]]\nmin_points = 50\ntitle = "Sprout"\n`;
    await editor.fill(valid.replace("min_points = 50", "min_points = \"fifty\""));
    const status = page.locator("#rules-status");
    await status.getByText(/^Line 9/).waitFor();
    await page.locator(".editor__number--error").getByText("9", { exact: true }).waitFor();
    assert.equal(await editor.getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByRole("button", { name: "Install" }).isDisabled(), true);
    await page.screenshot({ path: join(shots, "console-rules-error-en.png"), fullPage: true });

    await editor.fill(valid);
    await status.getByText("Valid: ready to install.").waitFor();
    await page.getByRole("button", { name: "Install" }).click();
    await page.getByText(/^Installed as version 1\./).waitFor();
    const history = page.locator("section", { has: page.getByRole("heading", { name: "Version history" }) });
    const row = history.locator("tbody tr").first();
    await row.locator("td").first().getByText("1", { exact: true }).waitFor();
    await row.getByText(EMAIL).waitFor();
    const installed = await api("GET", "/api/v1/admin/sites/club/rules");
    assert.equal(installed.version, 1);
    assert.equal(installed.document, valid);
    await clean(context);
  });

  test("a poll created in the console is live in <engage-poll>; the vote counts in the console", async () => {
    const context = await newContext();
    const page = await signIn(context);
    await open(page, "/sites/club/polls");
    await page.getByRole("button", { name: "New poll" }).click();
    await page.getByLabel("ID", { exact: true }).fill("lunch");
    await page.getByLabel("Question").fill("Where shall we have lunch?");
    await page.getByLabel("Label 1").fill("Pizza");
    await page.getByLabel("Label 2").fill("Noodles");
    await page.getByRole("button", { name: "Create poll" }).click();
    await page.getByRole("link", { name: "Where shall we have lunch?" }).waitFor();

    const member = await newContext();
    const tab = await member.newPage();
    await tab.goto(hostPage(`<engage-poll site="club" poll="lunch" member-token="${token("alice", "Alice")}"></engage-poll>`));
    const widget = tab.locator("engage-poll");
    await widget.locator("fieldset legend").getByText("Where shall we have lunch?").waitFor();
    await widget.getByLabel("Pizza").check();
    await widget.locator("button.engage-poll__button").click();
    await widget.locator(".engage-card__status").getByText(/Thanks for voting!/).waitFor();
    await clean(member);

    await page.getByRole("link", { name: "Where shall we have lunch?" }).click();
    await page.getByRole("heading", { name: "Where shall we have lunch?", level: 1 }).waitFor();
    const results = page.locator(".results__item");
    await results.filter({ hasText: "Pizza" }).locator(".results__count").getByText("1 · 100%").waitFor();
    await results.filter({ hasText: "Noodles" }).locator(".results__count").getByText("0 · 0%").waitFor();
    await clean(context);
  });

  test("a member's feedback reaches the inbox; the owner's reply shows in the member's widget", async () => {
    const member = await newContext();
    const tab = await member.newPage();
    await tab.goto(hostPage(`<engage-feedback site="club" mode="inline" member-token="${token("bea", "Bea")}"></engage-feedback>`));
    const widget = tab.locator("engage-feedback");
    await widget.locator("textarea").fill("The events calendar does not load on my phone.");
    await widget.locator("button.engage-feedback__submit").click();
    await widget.getByText("Thanks! We read every message.").waitFor();

    const context = await newContext();
    const page = await signIn(context);
    await open(page, "/sites/club/feedback");
    const item = page.locator("article, li, .feedback").filter({ hasText: "The events calendar does not load on my phone." }).last();
    await item.getByLabel("Reply").fill("Fixed this morning: please try again.");
    await item.getByRole("button", { name: "Send reply" }).click();
    await item.getByText("Fixed this morning: please try again.", { exact: true }).waitFor();
    await clean(context);

    await tab.reload();
    await widget.getByRole("button", { name: "Your feedback" }).click();
    const entry = widget.locator(".engage-feedback__item");
    await entry.getByText("Fixed this morning: please try again.").waitFor();
    await entry.getByText("Reply from the team").waitFor();
    await clean(member);
  });

  test("an adjustment with a reason is in the member's /me ledger as source admin", async () => {
    await api("POST", "/api/v1/sites/club/events", { member: "cai", name: "Cai", kind: "welcome", idempotency_key: "cai-welcome", points: 10 });
    const context = await newContext({ allow: [409] });
    const page = await signIn(context);
    await open(page, "/sites/club/members");
    await page.getByLabel("Search by id or name").fill("cai");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: "cai" }).click();
    await page.getByRole("heading", { name: "Cai", level: 1 }).waitFor();
    await page.getByLabel("Amount (negative takes points away)").fill("25");
    await page.getByLabel("Reason").fill("Helped at the spring meetup");
    await page.getByRole("button", { name: "Adjust", exact: true }).click();
    const ledger = page.locator("section", { has: page.getByRole("heading", { name: "Ledger" }) });
    await ledger.locator("tbody tr").first().getByText("Helped at the spring meetup").waitFor();

    // A deduction below zero is refused with the console's message, and nothing is stored.
    await page.getByLabel("Amount (negative takes points away)").fill("-1000");
    await page.getByLabel("Reason").fill("Too much");
    await page.getByRole("button", { name: "Adjust", exact: true }).click();
    await page.getByText("That would take the balance below zero.").waitFor();
    await clean(context);

    const response = await fetch(`${server.origin}/api/v1/sites/club/me`, { headers: { authorization: `Bearer ${token("cai", "Cai")}` } });
    const me = await response.json();
    assert.equal(me.points, 35);
    assert.deepEqual(
      { source: me.ledger[0].source, amount: me.ledger[0].amount, reason: me.ledger[0].reason },
      { source: "admin", amount: 25, reason: "Helped at the spring meetup" },
    );
    assert.equal(me.ledger[1].source, "host_event");
    assert.equal(me.ledger[1].reason, undefined);
  });

  test("a members CSV export keeps Chinese names intact and neutralises formulas", async () => {
    await api("POST", "/api/v1/sites/club/events", { member: "wang", name: "王小明", kind: "welcome", idempotency_key: "wang-welcome", points: 5 });
    await api("POST", "/api/v1/sites/club/events", { member: "formula", name: "=cmd|' /C calc'!A0", kind: "welcome", idempotency_key: "formula-welcome", points: 5 });
    const context = await newContext();
    const page = await signIn(context);
    await open(page, "/sites/club/members");
    const url = "/api/v1/admin/sites/club/export/members.csv";
    let bytes;
    // The members table's own download link (the navigation's "Export" page link is another).
    const button = page.getByRole("link", { name: /CSV/ }).and(page.locator('[data-table="members"]'));
    if (await button.count() > 0) {
      const [download] = await Promise.all([page.waitForEvent("download"), button.first().click()]);
      assert.equal(download.suggestedFilename(), "club-members.csv");
      const chunks = [];
      for await (const chunk of await download.createReadStream()) chunks.push(chunk);
      bytes = Buffer.concat(chunks);
    } else {
      // No export button on this page: the same request with the session cookie of the page.
      const answer = await page.evaluate(async (url) => {
        const response = await fetch(url);
        return {
          status: response.status,
          type: response.headers.get("content-type"),
          disposition: response.headers.get("content-disposition"),
          bytes: Array.from(new Uint8Array(await response.arrayBuffer())),
        };
      }, url);
      assert.equal(answer.status, 200);
      assert.equal(answer.type, "text/csv; charset=utf-8");
      assert.equal(answer.disposition, 'attachment; filename="club-members.csv"');
      bytes = Buffer.from(answer.bytes);
    }
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte order mark");
    const rows = parseCsv(bytes.subarray(3).toString("utf8"));
    const header = rows[0];
    assert.ok(header.includes("member") && header.includes("name"), `header ${header}`);
    const byMember = new Map(rows.slice(1).map((row) => [row[header.indexOf("member")], row[header.indexOf("name")]]));
    assert.equal(byMember.get("wang"), "王小明");
    assert.equal(byMember.get("formula"), "'=cmd|' /C calc'!A0");
    assert.equal(byMember.get("cai"), "Cai");
    await clean(context);
  });

  test("owner and member text with HTML in it shows as text in the console", async () => {
    await api("POST", "/api/v1/sites/club/events", { member: "mallory", name: HOSTILE, kind: "welcome", idempotency_key: "mallory-welcome", points: 1 });
    const text = `<b>bold</b> <img src=x onerror=alert(2)> <script>alert(3)</script>`;
    const response = await fetch(`${server.origin}/api/v1/sites/club/feedback`, {
      method: "POST",
      headers: { authorization: `Bearer ${token("mallory", HOSTILE)}`, "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
    assert.equal(response.status, 201, await response.text());
    const context = await newContext();
    const page = await signIn(context);
    for (const [path, shown] of [
      ["/sites/club/members", [HOSTILE]],
      ["/sites/club/members/mallory", [HOSTILE]],
      ["/sites/club/feedback", [HOSTILE, text]],
    ]) {
      await open(page, path);
      await page.screenshot({ path: join(shots, `console-hostile-${path.split("/").pop()}.png`), fullPage: true });
      const main = await page.locator("main").textContent();
      for (const t of shown) assert.ok(main.includes(t), `${path} shows ${t} as text`);
      assert.equal(await page.locator("main img, main b, main script").count(), 0, `no element made from text on ${path}`);
    }
    await clean(context);
  });

  test("a lottery not yet opened is edited in the console: the form shows what is stored and saves changes", async () => {
    const now = Date.now();
    await api("POST", "/api/v1/admin/sites/club/lotteries", {
      id: "autumn", mode: "wheel", prizes: [{ id: "pin", name: "Enamel pin 徽章", weight: 3, stock: 7 }],
      no_prize_weight: 2, cost: 15, daily_spins: 2,
      opens_at: new Date(now + 86_400_000).toISOString(), closes_at: new Date(now + 7 * 86_400_000).toISOString(),
    });
    const context = await newContext();
    const page = await signIn(context);
    await open(page, "/sites/club/lotteries/autumn");
    await page.getByRole("button", { name: "Edit lottery" }).click();
    const form = page.locator("#lottery-edit");
    // Every field shows the stored value, not an empty box.
    assert.equal(await form.getByLabel("ID", { exact: true }).inputValue(), "autumn");
    assert.equal(await form.getByLabel("Name 1", { exact: true }).inputValue(), "Enamel pin 徽章");
    assert.equal(await form.getByLabel("Stock", { exact: true }).inputValue(), "7");
    assert.equal(await form.getByLabel("Points per spin or entry").inputValue(), "15");
    assert.equal(await form.getByLabel("Spins per member per day").inputValue(), "2");
    assert.notEqual(await form.getByLabel("Opens", { exact: true }).inputValue(), "");
    await form.getByLabel("Points per spin or entry").fill("25");
    await form.getByLabel("Stock", { exact: true }).fill("9");
    await form.getByRole("button", { name: "Save changes" }).click();
    await form.waitFor({ state: "detached" });
    const stored = await api("GET", "/api/v1/admin/sites/club/lotteries/autumn");
    assert.equal(stored.cost, 25);
    assert.equal(stored.prizes[0].stock, 9);
    assert.equal(stored.prizes[0].name, "Enamel pin 徽章");
    assert.equal(stored.daily_spins, 2);
    // Once opened, the seed hash is published and the form is gone.
    await api("POST", "/api/v1/admin/sites/club/lotteries/autumn/open");
    await open(page, "/sites/club/lotteries/autumn");
    assert.equal(await page.getByRole("button", { name: "Edit lottery" }).count(), 0);
    await clean(context);
  });

  test("every console page passes axe-core in English and Chinese, light and dark", async () => {
    // A lottery for the lottery pages (the console's own lottery form is tested elsewhere).
    const now = Date.now();
    await api("POST", "/api/v1/admin/sites/club/lotteries", {
      id: "spring", mode: "wheel", prizes: [{ id: "mug", name: "Mug", weight: 1, stock: 3 }],
      no_prize_weight: 1, cost: 0, daily_spins: 1,
      opens_at: new Date(now - 60_000).toISOString(), closes_at: new Date(now + 86_400_000).toISOString(),
    });
    const PAGES = [
      ["sign-in", "/sign-in", { signedOut: true }],
      ["setup", "/setup?token=none", { signedOut: true }],
      ["sites", "/sites"],
      ["site", "/sites/club"],
      ["rules", "/sites/club/rules"],
      ["polls", "/sites/club/polls"],
      ["poll", "/sites/club/polls/lunch"],
      ["lotteries", "/sites/club/lotteries"],
      ["lottery", "/sites/club/lotteries/spring"],
      ["feedback", "/sites/club/feedback"],
      ["members", "/sites/club/members"],
      ["member", "/sites/club/members/cai"],
      ["webhooks", "/sites/club/webhooks"],
      ["audit", "/sites/club/audit"],
      ["export", "/sites/club/export"],
      ["analytics", "/sites/club/analytics"],
    ];
    const found = [];
    for (const lang of ["en", "zh-CN"]) {
      for (const theme of ["light", "dark"]) {
        // axe-core is injected as a script, which the console's own CSP would refuse.
        const signedOut = await newContext({ lang, theme, bypassCSP: true });
        const outPage = await signedOut.newPage();
        const context = await newContext({ lang, theme, bypassCSP: true });
        const page = await signIn(context, lang === "en" ? {} : { email: "邮箱", password: "密码", button: "登录" });
        for (const [name, path, options = {}] of PAGES) {
          const tab = options.signedOut ? outPage : page;
          await open(tab, path);
          assert.equal(await tab.evaluate(() => document.documentElement.lang), lang, `${name} in ${lang}`);
          await tab.screenshot({ path: join(shots, `console-${name}-${lang}-${theme}.png`), fullPage: true });
          for (const v of await axeViolations(tab, "html")) found.push(`${name} ${lang} ${theme}: ${v}`);
          for (const c of [signedOut, context]) {
            // A site without a webhook answers GET …/webhook with 404: the page's empty state.
            const problems = c.problems.splice(0).filter((p) => !(name === "webhooks" && p.includes("status of 404 ")));
            found.push(...problems.map((p) => `${name} ${lang} ${theme}: ${p}`));
          }
        }
        await clean(signedOut);
        await clean(context);
      }
    }
    assert.deepEqual(found, []);
  });
});

/** Parses RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF row ends. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}
