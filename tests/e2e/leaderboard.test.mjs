// The leaderboard widget end to end on the demo page, under its strict Content-Security-Policy:
// a member checks in, votes and spins on the same page and watches their row and card follow
// without a reload (each within 2 s); badges earned on the way fire `engage:badge` and are
// announced; a second member in another browser earning points moves the first one's rank
// live. Also: the reserved height, Chinese and the dark theme in a screenshot, axe.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { axeViolations, launchBrowser, openPage, root, startServer } from "./harness.mjs";

const shots = join(root, "target", "e2e-screenshots");
/** How long a change may take to show in the leaderboard of another widget's page. */
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

const board = (page) => page.locator("engage-leaderboard");
const myRow = (page) => board(page).locator('[aria-current="true"]');
const rankOf = (row) => row.locator(".engage-leaderboard__rank span[aria-hidden]");
const pointsOf = (row) => row.locator(".engage-leaderboard__points");

/** A demo page in a new context, signed in as `member`, with `engage:badge` recorded. */
async function demoPage({ member, lang = "en", theme = "light", csp = true }) {
  const context = await browser.newContext({ locale: lang === "en" ? "en-US" : "zh-CN", reducedMotion: "reduce" });
  await context.addInitScript(() => {
    window.__badges = [];
    document.addEventListener("engage:badge", (e) => window.__badges.push({ ...e.detail, bubbles: e.bubbles, composed: e.composed }));
  });
  // axe-core goes in as an inline script, which the strict policy rightly refuses.
  const page = await openPage(context, `${server.origin}/${csp ? "?csp=strict" : ""}`);
  await page.selectOption("#demo-lang", lang);
  await page.selectOption("#demo-theme", theme);
  if (member) await page.selectOption("#demo-member", member);
  return { context, page };
}

/** Waits for the `count`th `engage:<type>` (or any `engage:error`) and says which came. */
async function written(page, type, count = 1) {
  await page.waitForFunction(
    ([type, count]) => window.__events.filter((e) => e.type === type).length >= count || window.__events.some((e) => e.type === "engage:error"),
    [type, count],
  );
  assert.deepEqual(await page.evaluate(() => window.__events.filter((e) => e.type === "engage:error")), []);
}

/** Waits for the member's own row to show `rank` and `points`, within the live budget. */
async function expectMyRow(page, rank, points, timeout = LIVE_MS) {
  await rankOf(myRow(page)).getByText(String(rank), { exact: true }).waitFor({ timeout });
  await pointsOf(myRow(page)).getByText(`${points} pts`, { exact: true }).waitFor({ timeout });
}

async function noProblems(page) {
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.problems, []);
}

describe("the leaderboard on the demo page", () => {
  test("reserves its height, and shows the week to a visitor with a sign-in prompt", async () => {
    const { context, page } = await demoPage({ csp: false });
    const reserved = await board(page).boundingBox();
    await board(page).locator(".engage-leaderboard__row").first().waitFor();
    const loaded = await board(page).boundingBox();
    assert.ok(Math.abs(loaded.height - reserved.height) <= 2, `height moved from ${reserved.height} to ${loaded.height}`);
    assert.equal(await board(page).locator('[role="tab"][aria-selected="true"]').innerText(), "Week");
    // Lin's welcome points are this week's only points so far.
    assert.deepEqual(await board(page).locator(".engage-leaderboard__name").allInnerTexts(), ["Lin 林"]);
    await board(page).getByText("Sign in to see your rank").waitFor();
    assert.deepEqual(await axeViolations(page, "engage-leaderboard"), []);
    // The day tab by keyboard: the arrow keys move between the tabs.
    await board(page).locator('[role="tab"][aria-selected="true"]').focus();
    await page.keyboard.press("ArrowLeft");
    assert.equal(await board(page).locator('[role="tab"][aria-selected="true"]').innerText(), "Today");
    await board(page).locator(".engage-leaderboard__row").first().waitFor();
    // Signed in, Lin's own row and card.
    await page.selectOption("#demo-member", "lin");
    await myRow(page).waitFor();
    await board(page).locator(".engage-leaderboard__level").waitFor();
    assert.deepEqual(await axeViolations(page, "engage-leaderboard"), []);
    await noProblems(page);
    await context.close();
  });

  test("Lin checks in, votes and spins on one page; her row and card follow live; badges fire", async () => {
    const { context, page } = await demoPage({ member: "lin" });
    // Lin's welcome points put her on top of the week.
    await expectMyRow(page, 1, 100, 10_000);
    await board(page).locator(".engage-leaderboard__balance").getByText("100 points").waitFor();
    // Her welcome points earned her the week's top 3 badge already.
    const earned = board(page).locator(".engage-leaderboard__chip:not(.engage-leaderboard__chip--locked)");
    assert.deepEqual(await earned.allInnerTexts(), ["Top 3 of the week"]);

    // Check in: 10 points and the first check-in badge.
    await page.locator("engage-checkin .engage-checkin__button").click();
    await written(page, "engage:checkin");
    await expectMyRow(page, 1, 110);
    await page.waitForFunction(() => window.__badges.length === 1);
    assert.deepEqual(await page.evaluate(() => window.__badges), [
      { badge: "first-checkin", name: "First check-in", widget: "checkin", bubbles: true, composed: true },
    ]);
    await page.locator("engage-checkin").locator(".engage-card__status").getByText("New badge: First check-in!").waitFor();
    await earned.getByText("First check-in").waitFor({ timeout: LIVE_MS });

    // Vote: 5 more, and the first vote badge, from the poll.
    const favourite = page.locator('engage-poll[poll="favourite-feature"]');
    await favourite.locator('input[value="dark-mode"]').check();
    await favourite.locator(".engage-poll__button").click();
    await written(page, "engage:vote");
    await expectMyRow(page, 1, 115);
    await page.waitForFunction(() => window.__badges.length === 2);
    assert.deepEqual((await page.evaluate(() => window.__badges))[1], {
      badge: "first-vote", name: "First vote", widget: "poll", bubbles: true, composed: true,
    });
    await board(page).locator(".engage-leaderboard__balance").getByText("115 points").waitFor({ timeout: LIVE_MS });
    await earned.getByText("First vote").waitFor({ timeout: LIVE_MS });

    // Spin: spending does not lower what was earned this week, but the balance follows.
    const lottery = page.locator("engage-lottery");
    await lottery.locator("button.engage-lottery__button").click();
    await lottery.locator("dialog[open]").waitFor();
    await board(page).locator(".engage-leaderboard__balance").getByText("105 points").waitFor({ timeout: LIVE_MS });
    await page.keyboard.press("Escape");
    await expectMyRow(page, 1, 115);
    await board(page).screenshot({ path: join(shots, "leaderboard-en-light.png") });
    await noProblems(page);
    await context.close();
  });

  test("another member earning points in another browser moves a member's rank live", async () => {
    const alice = await demoPage({ member: "alice" });
    // Alice has earned nothing yet: she ranks after Lin and everyone with points.
    await myRow(alice.page).waitFor({ timeout: 10_000 });
    await alice.page.locator("engage-checkin .engage-checkin__button").click();
    await written(alice.page, "engage:checkin");
    const rankBefore = Number(await rankOf(myRow(alice.page)).innerText());
    await pointsOf(myRow(alice.page)).getByText("10 pts", { exact: true }).waitFor({ timeout: LIVE_MS });

    // Bob checks in (10, a tie that Alice reached first), then votes twice (20): Alice drops.
    const bob = await demoPage({ member: "bob" });
    await bob.page.locator("engage-checkin .engage-checkin__button").click();
    await written(bob.page, "engage:checkin");
    await bob.page.locator("engage-leaderboard").locator('[aria-current="true"]').getByText("Bob").waitFor({ timeout: LIVE_MS });
    await expectMyRow(alice.page, rankBefore, 10);
    for (const [poll, choice, votes] of [["favourite-feature", "mobile-app", 1], ["meetup-day", "tuesday", 2]]) {
      const widget = bob.page.locator(`engage-poll[poll="${poll}"]`);
      await widget.locator(`input[value="${choice}"]`).check();
      await widget.locator(".engage-poll__button").click();
      await written(bob.page, "engage:vote", votes);
    }
    await expectMyRow(alice.page, rankBefore + 1, 10);
    const names = await board(alice.page).locator(".engage-leaderboard__name").allInnerTexts();
    assert.ok(names.indexOf("Bob") === names.indexOf("Alice") - 1, names.join(", "));
    await noProblems(alice.page);
    await noProblems(bob.page);
    await bob.context.close();
    await alice.context.close();
  });

  test("in Chinese and the dark theme", async () => {
    const { context, page } = await demoPage({ member: "lin", lang: "zh-CN", theme: "dark", csp: false });
    await myRow(page).waitFor();
    assert.deepEqual(await board(page).locator('[role="tab"]').allInnerTexts(), ["今日", "本周", "本月", "总榜"]);
    await board(page).getByText("积分榜").waitFor();
    await board(page).locator(".engage-leaderboard__level").waitFor();
    assert.match(await board(page).locator(".engage-leaderboard__level").innerText(), /等级 \d+/);
    await board(page).locator('[role="tab"]', { hasText: "总榜" }).click();
    await board(page).locator('[role="tab"][aria-selected="true"]', { hasText: "总榜" }).waitFor();
    await myRow(page).waitFor();
    assert.deepEqual(await axeViolations(page, "engage-leaderboard"), []);
    await board(page).screenshot({ path: join(shots, "leaderboard-zh-dark.png") });
    await page.screenshot({ path: join(shots, "leaderboard-demo-zh-dark.png"), fullPage: true });
    await noProblems(page);
    await context.close();
  });
});
