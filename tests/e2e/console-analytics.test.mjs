// The console's analytics page end to end: real Chromium against the real server and a real
// SQLite file. A site in Asia/Shanghai gets a community's history through `engage-server import`
// (members, visits, check-ins, points and host events over the last six weeks) and live activity
// through the API (a check-in, a vote, NPS answers, a host event); the owner opens the analytics
// page and every number it shows — KPI cards and their previous-period comparison, the days
// table, the retention triangle, participation, points by source, NPS, badges and polls — is the
// API's answer for the same days, in English and in Chinese. The range presets and the custom
// range go through the URL (a reload keeps them), a wrong range says what is wrong and asks the
// server nothing, the CSV downloads hold the tables' numbers, a site without activity says so,
// and the page passes axe-core in both languages and themes, on a laptop and on a phone.
//
// Tests run in order and share one server.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { axeViolations, callWithApiKey, cli, launchBrowser, mintToken, root, startServer } from "./harness.mjs";

const shots = join(root, "target", "e2e-screenshots");
const EMAIL = "owner@example.com";
const PASSWORD = "a long owner password";
const ZONE = "Asia/Shanghai";
const HOSTILE = "<img src=x onerror=alert(1)>";

let server;
let browser;
let club;
let work;

const api = (method, path, body) => callWithApiKey(server, club, method, path, body);

/** `YYYY-MM-DD` of now in the site's zone, and days around it. */
function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}
function addDays(ymd, days) {
  const [y, m, d] = ymd.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** A community's history: twelve members joining over six weeks, coming back on some weeks. */
function history(now) {
  const lines = [];
  const names = ["Alice", "王小明", HOSTILE, "Dana", "Eve", "Fang 芳", "Gus", "Hui", "Ivo", "Jun", "Kai", "Lin"];
  names.forEach((name, i) => {
    const member = `m${i}`;
    const first = addDays(now, -(41 - 3 * i));
    lines.push({ type: "member", member, name, joined_at: `${addDays(first, -20)}T02:00:00Z` });
    lines.push({ type: "visit", member, date: first });
    // Every other member checks in on their first day; some come back weekly.
    if (i % 2 === 0) lines.push({ type: "checkin", member, date: first, points: 10 });
    for (let week = 1; week <= 5; week++) {
      const day = addDays(first, 7 * week + (i % 3));
      if (day >= now || (i + week) % 3 === 0) continue;
      lines.push({ type: "visit", member, date: day });
      if ((i + week) % 2 === 0) lines.push({ type: "checkin", member, date: day, points: 10 });
    }
    if (i % 4 === 1) lines.push({ type: "points", member, amount: 40, at: `${addDays(first, 1)}T03:00:00Z`, key: `legacy-${i}`, reason: "old forum balance" });
    if (i % 4 === 1) lines.push({ type: "points", member, amount: -15, at: `${addDays(first, 2)}T03:00:00Z`, key: `legacy-spent-${i}` });
    if (i % 3 === 2) lines.push({ type: "event", member, kind: "post", at: `${addDays(first, 1)}T04:00:00Z`, idempotency_key: `post-${i}`, points: 5 });
  });
  return lines.map((line) => JSON.stringify(line)).join("\n") + "\n";
}

const RULES = `[checkin]
points = 10

[feedback]
points = 0
scale = "nps"

[[levels]]
min_points = 0
title = "Newcomer"

[[badges]]
id = "first-checkin"
name = "First check-in 首次签到"
criteria = { first_checkin = true }
`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "engage-analytics-e2e-"));
  const file = join(work, "history.jsonl");
  const rules = join(work, "rules.toml");
  writeFileSync(file, history(today()));
  writeFileSync(rules, RULES);
  server = await startServer({
    before: (db) => {
      club = cli(db, ["site", "add", "--id", "club", "--origin", "http://localhost:9", "--tz", ZONE, "--json"]);
      cli(db, ["site", "add", "--id", "quiet", "--origin", "http://localhost:9", "--tz", "UTC", "--json"]);
      cli(db, ["owner", "add", "--email", EMAIL, "--password-stdin", "--admin", "--json"], { input: `${PASSWORD}\n` });
      cli(db, ["rules", "set", "--site", "club", rules, "--json"]);
      const report = cli(db, ["import", "--site", "club", file, "--json"]);
      assert.equal(report.dry_run, false);
      assert.equal(report.members, 12, JSON.stringify(report));
    },
  });
  // Live activity today, through the API as members and the site's backend cause it.
  const member = (id, name) => ({ authorization: `Bearer ${mintToken({ secret: club.secret, site: "club", member: id, name })}`, "content-type": "application/json" });
  const send = async (path, headers, body) => {
    const response = await fetch(`${server.origin}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    assert.ok(response.ok, `${path}: ${response.status} ${await response.text()}`);
  };
  await send("/api/v1/sites/club/checkin", member("m11", "Lin"), {});
  await api("POST", "/api/v1/admin/sites/club/polls", {
    id: "lunch", question: "午饭吃什么？ Where to for lunch?", options: [{ id: "noodles", label: "Noodles" }, { id: "pizza", label: "Pizza" }],
    multiple: false, max_choices: null, closes_at: null, results: "always", anonymous: false, allow_change: false, points: 0,
  });
  await send("/api/v1/sites/club/polls/lunch/votes", member("m11", "Lin"), { choices: ["noodles"] });
  await send("/api/v1/sites/club/polls/lunch/votes", member("m10", "Kai"), { choices: ["pizza"] });
  await send("/api/v1/sites/club/feedback", member("m11", "Lin"), { nps: 10, text: "Love it" });
  await send("/api/v1/sites/club/feedback", member("m10", "Kai"), { nps: 9, text: "Good" });
  await send("/api/v1/sites/club/feedback", member("m9", "Jun"), { nps: 3, text: "Slow" });
  await api("POST", "/api/v1/sites/club/events", { member: "m8", name: "Ivo", kind: "post", idempotency_key: "live-post-1", points: 3 });
  browser = await launchBrowser();
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function newContext({ lang = "en", theme = "light", viewport = { width: 1280, height: 900 }, ...options } = {}) {
  const context = await browser.newContext({ locale: lang === "en" ? "en-US" : lang, viewport, acceptDownloads: true, ...options });
  await context.addInitScript(([lang, theme]) => {
    // Also runs in documents without storage (a download's blob: page).
    try {
      localStorage.setItem("engage-console:lang", lang);
      localStorage.setItem("engage-console:theme", theme);
    } catch { /* not the console */ }
  }, [lang, theme]);
  context.problems = [];
  context.on("page", (page) => {
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().includes("status of 401 ")) context.problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => context.problems.push(`page error: ${e.message}`));
  });
  return context;
}

async function signIn(context, labels = { email: "Email", password: "Password", button: "Sign in" }) {
  const page = await context.newPage();
  await page.goto(`${server.origin}/console/sign-in`);
  await page.getByLabel(labels.email, { exact: true }).fill(EMAIL);
  await page.getByLabel(labels.password, { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: labels.button, exact: true }).click();
  // (On a phone the owner's address is hidden; it is still there.)
  await page.locator(".topbar__owner", { hasText: EMAIL }).waitFor({ state: "attached" });
  return page;
}

/** Opens the analytics page at `query` and waits for its numbers. */
async function openAnalytics(page, site, query = "") {
  await page.goto(`${server.origin}/console/sites/${site}/analytics${query}`);
  await page.locator(".range__summary").waitFor();
  await page.waitForFunction(() => !document.querySelector(".state--loading") && document.querySelector(".kpis, .state--error, .analytics__empty"));
}

/** The analytics answer for `from..to`, asked with the page's own session. */
const answer = (page, site, from, to) => page.evaluate(async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}, `/api/v1/admin/sites/${site}/analytics?from=${from}&to=${to}`);

/** The rows of the table of chart `id` as text cells (header row first). */
const tableRows = (page, id) => page.evaluate((id) => {
  const table = document.querySelector(`table[data-chart="${id}"]`);
  if (!table) return null;
  return [...table.querySelectorAll("tr")].map((tr) => [...tr.children].map((c) => c.textContent.trim()));
}, id);

const number = (text) => Number(text.replace(/,/g, "").replace(/%$/, ""));
const count = (n) => n.toLocaleString("en-US");

/** Every number the page shows against the API's answer `view`. */
async function checkNumbers(page, view, lang) {
  const t = view.totals;
  const kpi = async (key) => (await page.locator(`[data-kpi="${key}"] .kpi__value`).textContent()).trim();
  // Counts exactly; averages and rates to the precision shown (one decimal).
  for (const key of ["active", "new_members", "points_issued", "points_spent"]) {
    assert.equal(await kpi(key), count(t[key]), `${key} in ${lang}`);
  }
  assert.ok(Math.abs(number(await kpi("avg_dau")) - t.avg_dau) <= 0.05 + 1e-9, `avg_dau ${await kpi("avg_dau")} vs ${t.avg_dau}`);
  assert.match(await kpi("avg_dau"), /^\d[\d,]*\.\d$/);
  for (const key of ["stickiness", "checkin_rate"]) {
    const shown = await kpi(key);
    assert.match(shown, /^\d+\.\d%$/, key);
    assert.ok(Math.abs(number(shown) / 100 - t[key]) <= 0.0005 + 1e-9, `${key} ${shown} vs ${t[key]}`);
  }
  assert.equal(await kpi("nps"), t.nps === null ? (lang === "en" ? "No answers" : "暂无回答") : String(t.nps));
  assert.ok(t.nps_responses >= 3, "the live NPS answers count");
  // The comparison names the previous value, in words a screen reader says.
  const spoken = (await page.locator('[data-kpi="active"] .kpi__change .sr-only').textContent()).trim();
  assert.ok(spoken.includes(count(view.previous.active)), `${spoken} names ${view.previous.active}`);
  const shownChange = (await page.locator('[data-kpi="active"] .kpi__change [aria-hidden="true"]').textContent()).trim();
  assert.match(shownChange, /^[▲▼●] ([+−±]\d+%|new|新增)$/);

  // The days: every column of every day.
  const days = await tableRows(page, "chart-active");
  assert.equal(days.length, view.days.length + 1);
  view.days.forEach((d, i) => {
    assert.deepEqual(days[i + 1], [d.date, ...["dau", "wau", "mau", "engaged", "new_members", "checkins", "points_issued", "points_spent"].map((k) => count(d[k]))], `day ${d.date}`);
  });
  // Stickiness and check-in rate per day, to the precision shown.
  const sticky = await tableRows(page, "chart-stickiness");
  view.days.forEach((d, i) => {
    const cell = sticky[i + 1][3];
    if (d.mau === 0) assert.equal(cell, "—");
    else assert.ok(Math.abs(number(cell) / 100 - d.dau / d.mau) <= 0.0005 + 1e-9, `stickiness ${d.date}: ${cell}`);
  });

  // The retention triangle: a row per cohort, its weekday, size and every retained count.
  const cohorts = view.retention.cohorts;
  assert.ok(cohorts.length >= 2, "the history makes cohorts in the range");
  const weekday = lang === "en" ? "Mon" : "周一";
  for (const cohort of cohorts) {
    const row = page.locator(`tr[data-cohort="${cohort.week}"]`);
    assert.equal((await row.locator("th").textContent()).trim(), `${weekday} ${cohort.week}`);
    assert.equal((await row.locator("td").first().textContent()).trim(), count(cohort.size));
    const cells = await row.locator("td[data-week]").evaluateAll((tds) => tds.map((td) => Number(td.dataset.count)));
    assert.deepEqual(cells, cohort.retained, `cohort ${cohort.week}`);
    assert.equal(cohort.retained[0], cohort.size);
    const first = (await row.locator('td[data-week="0"] .retention__share').textContent()).trim();
    // A week in which nobody came first is a cohort of none: no share to show.
    assert.ok(cohort.size > 0 ? first.startsWith("100.0%") : first.startsWith("—"), `${cohort.week}: ${first}`);
  }
  // The newest cohort's last week is still under way on the range's last day (unless that day
  // is a Sunday, which ends the week).
  const newest = cohorts[cohorts.length - 1];
  const last = page.locator(`tr[data-cohort="${newest.week}"] td[data-week="${newest.retained.length - 1}"]`);
  const sunday = new Date(`${view.to}T00:00:00Z`).getUTCDay() === 0;
  assert.equal(/retention__cell--partial/.test(await last.getAttribute("class")), !sunday);

  // Participation per widget, points by source, NPS per week, badges and polls.
  const p = view.participation;
  const participation = await tableRows(page, "chart-participation");
  assert.deepEqual(participation.slice(1).map((r) => number(r[1])), [p.checkin, p.poll, p.lottery, p.feedback, p.host_event, p.rewards]);
  assert.ok(p.checkin > 0 && p.poll === 2 && p.feedback === 3);
  const points = await tableRows(page, "chart-points");
  assert.deepEqual(points.slice(1).map((r) => [number(r[1]), number(r[2])]), view.points_by_source.map((s) => [s.issued, s.spent]));
  const nps = await tableRows(page, "chart-nps");
  assert.deepEqual(nps.slice(1).map((r) => [r[0], number(r[1]), r[2] === "—" ? null : number(r[2])]),
    view.nps.map((w) => [w.week, w.responses, w.score]));
  const badges = await tableRows(page, "chart-badges");
  assert.deepEqual(badges.slice(1).map((r) => [r[0], number(r[1])]), view.top_badges.map((b) => [b.name, b.earned]));
  assert.ok(view.top_badges.length > 0, "imported check-ins earn the first-check-in badge");
  const polls = await tableRows(page, "chart-polls");
  assert.deepEqual(polls.slice(1).map((r) => [r[0], number(r[1])]), view.polls.map((x) => [x.label, x.members]));

  // Each chart is an image named by its title, with the same numbers beside it.
  for (const id of ["chart-active", "chart-stickiness", "chart-checkin-rate", "chart-participation", "chart-points", "chart-nps"]) {
    const svg = page.locator(`#${id} svg[role="img"]`);
    assert.equal(await svg.count(), 1, id);
    const name = await svg.evaluate((el) => el.getAttribute("aria-labelledby").split(" ").map((i) => document.getElementById(i).textContent).join(" "));
    const heading = (await page.locator(`#${id} h2`).textContent()).trim();
    assert.ok(name.startsWith(heading), `${id}: ${name}`);
  }
}

/** Reads a download as CSV rows (after its byte order mark). */
async function downloadRows(page, click) {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte order mark");
  const text = bytes.subarray(3).toString("utf8");
  return { name: download.suggestedFilename(), rows: text.trimEnd().split("\r\n").map((line) => line.split(",")) };
}

describe("the console's analytics page against the real server", () => {
  test("the numbers shown are the API's, in English; the CSV downloads hold them", async () => {
    const context = await newContext();
    const page = await signIn(context);
    const asked = [];
    page.on("request", (r) => { if (r.url().includes("/api/v1/admin/sites/club/analytics?")) asked.push(new URL(r.url()).search); });
    await openAnalytics(page, "club");
    const now = today();
    const from = addDays(now, -29);
    // With nothing in the query: the last 30 days of the site's zone.
    assert.deepEqual(asked, [`?from=${from}&to=${now}`]);
    assert.equal(await page.locator('[data-range="30d"]').getAttribute("aria-pressed"), "true");
    assert.equal((await page.locator(".range__summary").textContent()).trim(), `${from} – ${now} · 30 days`);
    await page.getByText(`Days of the site's time zone (${ZONE})`).waitFor();
    const view = await answer(page, "club", from, now);
    assert.equal(view.from, from);
    await checkNumbers(page, view, "en");
    await page.screenshot({ path: join(shots, "console-analytics-en-light.png"), fullPage: true });

    // The table beside the chart, downloaded: the same days, numbers as numbers.
    const days = await downloadRows(page, () => page.locator("#chart-active .chart__csv").click());
    assert.equal(days.name, `club-analytics-days-${from}-${now}.csv`);
    assert.deepEqual(days.rows[0], ["Date", "DAU", "WAU", "MAU", "Acting", "New members", "Check-ins", "Points issued", "Points spent"]);
    assert.deepEqual(days.rows.slice(1), view.days.map((d) => [d.date, d.dau, d.wau, d.mau, d.engaged, d.new_members, d.checkins, d.points_issued, d.points_spent].map(String)));
    const retention = await downloadRows(page, () => page.locator("#chart-retention .chart__csv").click());
    assert.deepEqual(retention.rows.slice(1).map((r) => [r[0], Number(r[1]), Number(r[2])]), view.retention.cohorts.map((c) => [c.week, c.size, c.retained[0]]));
    // The server's own export of the days, for the same range.
    const link = page.locator('a[data-table="analytics"]');
    assert.equal(await link.getAttribute("href"), `/api/v1/admin/sites/club/export/analytics.csv?from=${from}&to=${now}`);
    const exported = await downloadRows(page, () => link.click());
    assert.deepEqual(exported.rows.slice(1).map((r) => r.slice(0, 4)), view.days.map((d) => [d.date, d.dau, d.wau, d.mau].map(String)));

    // Member-given names are text in the badge and poll tables (no element made from them).
    assert.equal(await page.locator("main img, main b").count(), 0);
    assert.deepEqual(context.problems, []);
    await context.close();
  });

  test("presets and a custom range live in the URL; a wrong range says why and asks nothing", async () => {
    const context = await newContext();
    const page = await signIn(context);
    const asked = [];
    page.on("request", (r) => { if (r.url().includes("/api/v1/admin/sites/club/analytics?")) asked.push(new URL(r.url()).search); });
    await openAnalytics(page, "club", "?range=7d");
    const now = today();
    assert.deepEqual(asked, [`?from=${addDays(now, -6)}&to=${now}`]);
    assert.equal(await page.locator('[data-range="7d"]').getAttribute("aria-pressed"), "true");
    assert.equal((await page.locator("#chart-active table tbody tr").count()), 7);

    await page.getByRole("button", { name: "Last 90 days" }).click();
    await page.waitForURL(/\?range=90d$/);
    await page.locator("#chart-active table tbody tr").nth(89).waitFor({ state: "attached" });
    await page.getByRole("button", { name: "Last month" }).click();
    await page.waitForURL(/\?range=last-month$/);
    const [y, m] = now.split("-").map(Number);
    const lastMonthStart = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 10);
    const lastMonthEnd = new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10);
    await page.waitForFunction((s) => document.querySelector(".range__summary").textContent.startsWith(s), lastMonthStart);
    assert.ok(asked.includes(`?from=${lastMonthStart}&to=${lastMonthEnd}`), asked.join(" "));
    await page.getByRole("button", { name: "This month" }).click();
    await page.waitForURL(/\?range=this-month$/);

    // A reversed range and one too long are refused before any request.
    const before = asked.length;
    await page.getByLabel("From", { exact: true }).fill("2026-03-10");
    await page.getByLabel("To", { exact: true }).fill("2026-03-01");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.getByRole("alert").getByText("The first day must not be after the last day.").waitFor();
    await page.getByLabel("From", { exact: true }).fill("2025-01-01");
    await page.getByLabel("To", { exact: true }).fill("2026-03-01");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.getByRole("alert").getByText("Choose at most 366 days (this range has 425).").waitFor();
    assert.equal(asked.length, before);
    assert.match(page.url(), /\?range=this-month$/);

    // A custom range is asked for, kept in the URL, and survives a reload.
    const from = addDays(now, -13);
    await page.getByLabel("From", { exact: true }).fill(from);
    await page.getByLabel("To", { exact: true }).fill(now);
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.waitForURL(new RegExp(`\\?from=${from}&to=${now}$`));
    await page.waitForFunction(() => !document.querySelector(".state--loading"));
    assert.equal(asked.at(-1), `?from=${from}&to=${now}`);
    await page.reload();
    await page.locator(".kpis").waitFor();
    assert.equal((await page.locator(".range__summary").textContent()).trim(), `${from} – ${now} · 14 days`);
    assert.equal(await page.locator('.range__preset[aria-pressed="true"]').count(), 0);
    const view = await answer(page, "club", from, now);
    assert.equal(await page.locator('[data-kpi="active"] .kpi__value').textContent(), count(view.totals.active));

    // A URL naming a wrong range shows the error beside the default range.
    await openAnalytics(page, "club", "?from=2026-05-02&to=2026-05-01");
    await page.getByRole("alert").getByText("The first day must not be after the last day.").waitFor();
    assert.equal(await page.locator('[data-range="30d"]').getAttribute("aria-pressed"), "true");
    assert.deepEqual(context.problems, []);
    await context.close();
  });

  test("the numbers shown are the API's, in Chinese", async () => {
    const context = await newContext({ lang: "zh-CN" });
    const page = await signIn(context, { email: "邮箱", password: "密码", button: "登录" });
    await openAnalytics(page, "club", "?range=30d");
    await page.getByRole("heading", { name: "数据分析", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "活跃会员", level: 2 }).waitFor();
    await page.getByRole("heading", { name: "按周同期群留存" }).waitFor();
    const now = today();
    const from = addDays(now, -29);
    assert.equal((await page.locator(".range__summary").textContent()).trim(), `${from} 至 ${now} · 30 天`);
    const view = await answer(page, "club", from, now);
    await checkNumbers(page, view, "zh-CN");
    // The chart's own labels are Chinese too, drawn in a CJK font.
    const axis = await page.locator("#chart-active svg text").allTextContents();
    assert.ok(axis.some((t) => /^\d+月\d+日$/.test(t)), axis.join(" "));
    const legend = await page.locator("#chart-active .chart__legend").textContent();
    assert.ok(legend.includes("日活 DAU") && legend.includes("月活 MAU"), legend);
    await page.screenshot({ path: join(shots, "console-analytics-zh-CN-light.png"), fullPage: true });
    const days = await downloadRows(page, () => page.locator("#chart-active .chart__csv").click());
    assert.deepEqual(days.rows[0], ["日期", "DAU", "WAU", "MAU", "参与互动", "新会员", "签到次数", "发放积分", "消耗积分"]);
    assert.deepEqual(context.problems, []);
    await context.close();
  });

  test("a site without activity says so", async () => {
    const context = await newContext();
    const page = await signIn(context);
    await openAnalytics(page, "quiet");
    await page.getByText("No activity in these days yet.").waitFor();
    assert.equal(await page.locator('[data-kpi="active"] .kpi__value').textContent(), "0");
    assert.equal(await page.locator('[data-kpi="nps"] .kpi__value').textContent(), "No answers");
    assert.equal(await page.locator("svg[role=img]").count(), 0);
    assert.deepEqual(context.problems, []);
    await context.close();
  });

  test("the analytics page passes axe-core in both languages and themes, and fits a phone", async () => {
    const found = [];
    for (const lang of ["en", "zh-CN"]) {
      for (const theme of ["light", "dark"]) {
        for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
          const context = await newContext({ lang, theme, viewport, bypassCSP: true });
          const page = await signIn(context, lang === "en" ? undefined : { email: "邮箱", password: "密码", button: "登录" });
          for (const site of ["club", "quiet"]) {
            await openAnalytics(page, site);
            // The tables behind the disclosures are checked too.
            await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
            const phone = viewport.width < 600 ? "-phone" : "";
            await page.screenshot({ path: join(shots, `console-analytics-${site}-${lang}-${theme}${phone}.png`), fullPage: true });
            for (const v of await axeViolations(page, "html")) found.push(`${site} ${lang} ${theme} ${viewport.width}: ${v}`);
            if (phone) {
              // The page itself never scrolls sideways; wide charts scroll in their own frame.
              const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
              const culprits = await page.evaluate(() => [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.parentElement.closest(".chart__scroll, .table-wrap, .nav__list"))
                .slice(0, 5).map((el) => `${el.tagName}.${el.className}`));
              assert.ok(wide <= 1, `${site} ${lang} ${theme}: the page is ${wide}px too wide (${culprits.join(", ")})`);
            }
          }
          found.push(...context.problems.map((p) => `${lang} ${theme}: ${p}`));
          await context.close();
        }
      }
    }
    assert.deepEqual(found, []);
  });
});
