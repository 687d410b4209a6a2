// One live connection per page, end to end: the demo page (every widget, under its strict
// Content-Security-Policy) opens exactly one event stream to the server, carrying the channels of
// all its live widgets, makes no request at all while idle (no widget reads on a timer while the
// stream is up), and hears through that stream what another member does in another browser.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openPage, startServer } from "./harness.mjs";

/** Longer than the widgets' fallback timer (5 s), so a widget polling while the stream is up shows. */
const IDLE_MS = 7000;
/** How long a change made elsewhere may take to reach the page through its stream. */
const LIVE_MS = 2000;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The demo page signed in as the `nth` demo member, with every request to the server logged. */
async function demoPage(nth) {
  const context = await browser.newContext({ locale: "en-US", reducedMotion: "reduce" });
  const requests = [];
  const ended = [];
  context.on("request", (r) => {
    if (r.url().startsWith(server.origin)) requests.push({ url: r.url(), type: r.resourceType() });
  });
  for (const event of ["requestfailed", "requestfinished"]) context.on(event, (r) => ended.push(r.url()));
  const page = await openPage(context, `${server.origin}/?csp=strict`);
  const members = await page.locator("#demo-member option").evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  await page.selectOption("#demo-member", members[nth]);
  const widgets = await page.locator("engage-checkin, engage-poll, engage-lottery, engage-leaderboard, engage-feedback, engage-rewards").count();
  await page.waitForFunction((n) => window.__events.filter((e) => e.type === "engage:ready").length >= n, widgets, { timeout: 15_000 });
  return { context, page, requests, ended };
}

const streams = (requests) => requests.filter((r) => new URL(r.url).pathname.endsWith("/stream"));

describe("live widgets on one page", () => {
  test("the demo page opens one event stream, is silent while idle and hears another member's check-in", async () => {
    const { context, page, requests, ended } = await demoPage(0);
    // The stream opens once the widgets have mounted; let every first read and reopen settle.
    await page.waitForTimeout(1500);
    const opened = streams(requests);
    const last = new URL(opened.at(-1).url);
    const channels = last.searchParams.get("channels").split(",").sort();
    assert.ok(channels.includes("leaderboard"), channels.join());
    assert.ok(channels.includes("poll:favourite-feature") && channels.includes("poll:meetup-day"), channels.join());
    assert.ok(channels.includes("lottery:spring-wheel"), channels.join());
    assert.equal(new URL(opened.at(-1).url).pathname, "/api/v1/sites/demo/stream");
    // Exactly one stream is open: any earlier one (before the last widget mounted) was closed.
    const closed = ended.filter((url) => new URL(url).pathname.endsWith("/stream")).length;
    assert.equal(opened.length - closed, 1, `streams opened: ${opened.map((r) => r.url).join(" ")}; closed: ${closed}`);

    requests.length = 0;
    await page.waitForTimeout(IDLE_MS);
    assert.deepEqual(requests, [], "no request while idle");

    // Another member checks in in another browser: the leaderboard of this page reads again.
    const other = await demoPage(1);
    requests.length = 0;
    const reread = page.waitForRequest((r) => r.url().includes("/api/v1/sites/demo/leaderboard"), { timeout: LIVE_MS + 3000 });
    await other.page.locator("engage-checkin .engage-checkin__button").click();
    await reread;
    assert.deepEqual(streams(requests), [], "the change came through the open stream");
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(page.problems, []);
    await other.context.close();
    await context.close();
  });
});
