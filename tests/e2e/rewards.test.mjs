// The rewards shop end to end against a real server on a real SQLite file, in Chromium:
// a member on the demo page (strict CSP) redeems the demo coupon, copies the code and sees the
// new balance in every widget of the page; the widget alone on a host page that enforces a
// strict policy of its own, and its iframe mode; the owner in the console creates a coupon
// reward, uploads codes (pasted and from a CSV file), fulfils one redemption and cancels
// another, whose refund the member's balance shows. axe-core on the widget.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  axeViolations, cli, launchBrowser, mintToken, openPage, root, startHostSite, startServer,
} from "./harness.mjs";

const shots = join(root, "target", "e2e-screenshots");
/** How long a change may take to show in the leaderboard, which hears of it by its stream. */
const LIVE_MS = 2000;
const EMAIL = "owner@example.com";
const PASSWORD = "a long owner password";

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const shop = (page) => page.locator("engage-rewards");
const item = (page, reward) => shop(page).locator(`[data-reward="${reward}"]`);
const balanceOf = async (page) => {
  const text = await shop(page).locator(".engage-rewards__balance").innerText();
  const found = text.match(/You have (\d+) points?/);
  assert.ok(found, `the balance line says "${text}"`);
  return Number(found[1]);
};

/** Records `engage:redeem` events (with their bubbling and composition) from the start. */
async function recordRedeems(context) {
  await context.addInitScript(() => {
    window.__redeems = [];
    document.addEventListener("engage:redeem", (e) => window.__redeems.push({ ...e.detail, bubbles: e.bubbles, composed: e.composed }));
  });
}

async function noProblems(page) {
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.problems, []);
}

describe("the rewards shop on the demo page", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("a member redeems the coupon, copies the code, and every widget shows the new balance", async () => {
    // The demo shop, as a visitor reads it: a sticker pack, a coupon with codes, a freeze.
    const catalogue = await (await fetch(`${server.origin}/api/v1/sites/demo/rewards`)).json();
    const kinds = catalogue.rewards.map((r) => r.kind).sort();
    assert.deepEqual(kinds, ["code", "item", "streak_freeze"]);
    const coupon = catalogue.rewards.find((r) => r.kind === "code");

    const context = await browser.newContext({ locale: "en-US", reducedMotion: "reduce" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    await recordRedeems(context);
    const page = await openPage(context, `${server.origin}/?csp=strict`);
    await page.selectOption("#demo-lang", "en");
    await page.selectOption("#demo-theme", "light");
    // Signed out the shop shows its rewards, each saying how to redeem.
    await item(page, coupon.id).getByText("Sign in to redeem").waitFor();
    await page.selectOption("#demo-member", "lin");
    await shop(page).getByText(/You have \d+ points/).waitFor();
    const before = await balanceOf(page);
    assert.ok(before >= coupon.price, `Lin can afford the coupon (${before} points)`);
    await item(page, coupon.id).getByText("You can afford it").waitFor();

    // Redeem with the keyboard: the dialog takes the focus and says what it costs.
    await item(page, coupon.id).getByRole("button", { name: "Redeem" }).focus();
    await page.keyboard.press("Enter");
    const dialog = shop(page).locator("dialog[open]");
    await dialog.getByText(`It costs ${coupon.price} points. Your balance after: ${before - coupon.price} points.`).waitFor();
    // Escape cancels, and the focus goes back to the button.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.waitForFunction(() => document.querySelector("engage-rewards").shadowRoot.activeElement?.classList.contains("engage-rewards__redeem"));

    await item(page, coupon.id).getByRole("button", { name: "Redeem" }).click();
    await dialog.locator(".engage-rewards__confirm").click();
    const code = dialog.locator(".engage-rewards__code");
    await code.waitFor();
    const given = await code.innerText();
    assert.ok(given.length > 0);
    await dialog.getByText(`Your balance: ${before - coupon.price} points.`).waitFor();
    await shop(page).screenshot({ path: join(shots, "rewards-en-light-redeemed.png") });
    await dialog.getByRole("button", { name: "Copy code" }).click();
    await dialog.getByText("Copied").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), given);
    await dialog.getByRole("button", { name: "OK" }).click();

    // engage:redeem: bubbling, composed, with the redemption and the balance.
    const redeems = await page.evaluate(() => window.__redeems);
    assert.equal(redeems.length, 1);
    assert.equal(redeems[0].reward, coupon.id);
    assert.equal(redeems[0].redemption.code, given);
    assert.equal(redeems[0].redemption.status, "fulfilled");
    assert.equal(redeems[0].points, before - coupon.price);
    assert.equal(redeems[0].bubbles, true);
    assert.equal(redeems[0].composed, true);

    // Every widget of the page shows the new balance.
    const after = before - coupon.price;
    await shop(page).getByText(`You have ${after} points`).waitFor();
    await page.locator("engage-checkin .engage-checkin__stat-value").nth(2).getByText(String(after), { exact: true }).waitFor();
    await page.locator("engage-lottery .engage-lottery__stat-value").first().getByText(String(after), { exact: true }).waitFor();
    await page.locator("engage-leaderboard .engage-leaderboard__balance").getByText(`${after} points`).waitFor({ timeout: LIVE_MS });
    // My redemptions lists the code, and it survives a reload.
    await shop(page).locator(".engage-rewards__mine-title").click();
    await shop(page).locator(".engage-rewards__mine-item").filter({ hasText: given }).waitFor();
    await page.reload();
    await page.selectOption("#demo-member", "lin");
    await shop(page).getByText(`You have ${after} points`).waitFor();
    await shop(page).locator(".engage-rewards__mine-title").click();
    await shop(page).locator(".engage-rewards__mine-item").filter({ hasText: given }).waitFor();
    await noProblems(page);
    await context.close();
  });

  test("the shop in Chinese and dark, axe-clean", async () => {
    const context = await browser.newContext({ locale: "zh-CN", reducedMotion: "reduce" });
    // axe-core goes in as an inline script, which the strict policy rightly refuses.
    const page = await openPage(context, `${server.origin}/`);
    await page.selectOption("#demo-lang", "zh-CN");
    await page.selectOption("#demo-theme", "dark");
    await page.selectOption("#demo-member", "lin");
    await shop(page).getByText(/你有 \d+ 积分/).waitFor();
    await shop(page).getByText("积分兑换").first().waitFor();
    assert.deepEqual(await axeViolations(page, "engage-rewards"), []);
    await shop(page).screenshot({ path: join(shots, "rewards-zh-dark.png") });
    await noProblems(page);
    await context.close();
  });
});

describe("the rewards widget on a host page with its own strict policy", () => {
  let site;
  before(async () => {
    site = await startHostSite({ id: "mugs", title: "Mug club", tag: "engage-rewards" });
    await site.owner("POST", "/api/v1/admin/sites/mugs/rewards", {
      id: "mug", name: "Club mug <b>bold</b>", description: "Posted to you", price: 10, stock: 2, per_member: null, kind: "item",
    });
    await site.owner("POST", "/api/v1/sites/mugs/events", { member: "kai", name: "Kai", kind: "welcome", idempotency_key: "kai-welcome", points: 25 });
  });
  after(async () => {
    await site?.stop();
  });

  test("a member redeems an item and sees it pending; nothing breaks the policy", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    await recordRedeems(context);
    const page = await openPage(context, `${site.origin}/?member=kai`);
    await shop(page).getByText("You have 25 points").waitFor();
    // Owner-typed text is text.
    await item(page, "mug").getByText("Club mug <b>bold</b>").waitFor();
    await item(page, "mug").getByText("2 left").waitFor();
    await item(page, "mug").getByRole("button", { name: "Redeem" }).click();
    await shop(page).locator(".engage-rewards__confirm").click();
    await shop(page).getByText("Pending: the site will send it to you.").first().waitFor();
    await shop(page).getByRole("button", { name: "OK" }).click();
    await item(page, "mug").getByText("1 left").waitFor();
    await shop(page).getByText("You have 15 points").waitFor();
    assert.equal((await page.evaluate(() => window.__redeems))[0].redemption.status, "pending");
    await noProblems(page);
    await context.close();
  });

  test("iframe mode serves the shop", async () => {
    const response = await fetch(`${site.server.origin}/embed/rewards?site=mugs&lang=en`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<engage-rewards[^>]*site="mugs"/);
  });
});

describe("the owner runs the shop in the console", () => {
  let server;
  let club;
  before(async () => {
    server = await startServer({
      before: (db) => {
        club = cli(db, ["site", "add", "--id", "club", "--origin", "http://localhost:9", "--tz", "UTC", "--json"]);
        cli(db, ["owner", "add", "--email", EMAIL, "--password-stdin", "--admin", "--json"], { input: `${PASSWORD}\n` });
      },
    });
  });
  after(async () => {
    await server?.stop();
  });

  const member = (id) => mintToken({ secret: club.secret, site: "club", member: id, name: id.toUpperCase() });
  const asMember = async (id, method, path) => {
    const response = await fetch(`${server.origin}${path}`, {
      method, headers: { authorization: `Bearer ${member(id)}`, "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined,
    });
    return { status: response.status, body: await response.json() };
  };
  const apiKey = async (method, path, body) => {
    const response = await fetch(`${server.origin}${path}`, {
      method, headers: { authorization: `Bearer ${club.api_key}`, "content-type": "application/json" }, body: JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status}`);
    return response.json();
  };

  test("creates a reward, uploads codes, fulfils one redemption and cancels another with a refund", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${server.origin}/console/sign-in`);
    await page.getByLabel("Email", { exact: true }).fill(EMAIL);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.locator(".topbar__owner").getByText(EMAIL).waitFor();
    await page.getByRole("navigation").getByRole("link", { name: "Rewards" }).click();
    await page.getByRole("heading", { name: "Rewards shop" }).waitFor();
    await page.getByText("No rewards yet. Create one to open the shop.").waitFor();

    // Create: a mistake is named before anything is sent, then the reward is made.
    await page.getByRole("button", { name: "New reward" }).click();
    const form = page.locator("form").first();
    await form.getByLabel("ID", { exact: true }).fill("gift-card");
    await form.getByLabel("Name", { exact: true }).fill("Gift card");
    await form.getByLabel("Kind").selectOption("code");
    await form.getByLabel("Price (points)").fill("0");
    await form.getByRole("button", { name: "Create reward" }).click();
    await page.getByText("The price must be a whole number of points, at least 1.").waitFor();
    await form.getByLabel("Price (points)").fill("20");
    await form.getByRole("button", { name: "Create reward" }).click();
    const row = page.locator('tr[data-reward="gift-card"]');
    await row.waitFor();
    await row.getByText("0 / 0").waitFor();

    // Edit: the form opens filled in.
    await row.getByRole("button", { name: "Edit · Gift card" }).click();
    const editor = page.locator('section[aria-labelledby="reward-panel"]');
    assert.equal(await editor.getByLabel("Name", { exact: true }).inputValue(), "Gift card");
    assert.equal(await editor.getByLabel("Price (points)").inputValue(), "20");
    await editor.getByLabel("Description").fill("A €5 card for the club shop");
    await editor.getByRole("button", { name: "Save changes" }).click();
    await editor.getByText("Saved “Gift card”.").waitFor();

    // Codes: pasted lines, then a CSV file (its header and a repeat are skipped).
    await row.getByRole("button", { name: "Upload codes · Gift card" }).click();
    const upload = page.locator('section[aria-labelledby="reward-panel"]');
    await upload.getByLabel(/Codes, one a line/).fill("GIFT-1\nGIFT-2\n");
    await upload.getByText("2 codes ready to upload.").waitFor();
    await upload.getByRole("button", { name: "Upload" }).click();
    await upload.getByText("2 codes added, 0 already in the pool; 2 unused now.").waitFor();
    const dir = mkdtempSync(join(tmpdir(), "engage-codes-"));
    const csv = join(dir, "codes.csv");
    writeFileSync(csv, "code,batch\nGIFT-3,dec\nGIFT-2,dec\n");
    await upload.getByLabel("Or choose a CSV or text file").setInputFiles(csv);
    await upload.getByText("2 codes ready to upload.").waitFor();
    await upload.getByRole("button", { name: "Upload" }).click();
    await upload.getByText("1 code added, 1 already in the pool; 3 unused now.").waitFor();
    await row.getByText("3 / 3").waitFor();

    // Two members redeem (each has points from the host's backend).
    for (const id of ["ann", "bo"]) {
      await apiKey("POST", "/api/v1/sites/club/events", { member: id, name: id, kind: "welcome", idempotency_key: `${id}-welcome`, points: 50 });
      const redeemed = await asMember(id, "POST", "/api/v1/sites/club/rewards/gift-card/redemptions");
      assert.equal(redeemed.status, 201, JSON.stringify(redeemed.body));
      assert.equal(redeemed.body.points, 30);
    }
    await page.reload();
    await row.getByText("1 / 3").waitFor();

    // The queue: codes given are fulfilled at once; filter by any status.
    const queue = page.locator('section[aria-labelledby="queue-title"]');
    await queue.getByLabel("Status").selectOption("");
    await queue.locator("tr[data-redemption]").nth(1).waitFor();
    await queue.getByLabel("Reward").selectOption("gift-card");
    await queue.locator("tr[data-redemption]").nth(1).waitFor();
    assert.equal(await queue.locator("tr[data-redemption]").filter({ hasText: "Gift card" }).count(), 2);
    const bo = queue.locator("tr[data-redemption]").filter({ hasText: "bo" }).first();
    await bo.getByRole("button", { name: "Cancel and refund" }).click();
    await bo.getByText("Cancel this redemption and refund 20 points to bo?").waitFor();
    await bo.getByRole("button", { name: "Yes, cancel and refund" }).click();
    await queue.locator("tr[data-redemption]").filter({ hasText: "Cancelled" }).waitFor();
    const refunded = await asMember("bo", "GET", "/api/v1/sites/club/me");
    assert.equal(refunded.body.points, 50);
    const mine = await asMember("bo", "GET", "/api/v1/sites/club/rewards/redemptions/mine");
    assert.equal(mine.body.redemptions[0].status, "cancelled");
    await page.screenshot({ path: join(shots, "console-rewards-queue.png"), fullPage: true });

    // An item to send: pending until the owner marks it fulfilled.
    await apiKey("POST", "/api/v1/admin/sites/club/rewards", { id: "tote", name: "Tote bag", price: 10, stock: 5, per_member: null, kind: "item" });
    const tote = await asMember("ann", "POST", "/api/v1/sites/club/rewards/tote/redemptions");
    assert.equal(tote.body.redemption.status, "pending");
    await page.reload();
    await queue.getByLabel("Status").selectOption("pending");
    const pending = queue.locator("tr[data-redemption]").filter({ hasText: "Tote bag" });
    await pending.getByRole("button", { name: "Mark fulfilled" }).click();
    await pending.getByText("Fulfilled", { exact: true }).waitFor();
    const annMine = await asMember("ann", "GET", "/api/v1/sites/club/rewards/redemptions/mine");
    assert.equal(annMine.body.redemptions.find((r) => r.reward === "tote").status, "fulfilled");

    // The redemptions CSV is one link away.
    const link = page.locator('a[data-table="redemptions"]');
    assert.equal(await link.getAttribute("href"), "/api/v1/admin/sites/club/export/redemptions.csv");
    const csvText = await page.evaluate(async (href) => (await fetch(href)).text(), await link.getAttribute("href"));
    assert.match(csvText, /GIFT-/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
