// The lottery widget end to end: real Chromium against a real server and a real SQLite file.
// A member of a host site (its own origin, its own strict CSP) spins until out of points and
// sees balance and stock follow; the owner closes the lottery; the proof verifies on the verify
// page and with `engage-server verify-lottery`, and a tampered proof fails both. Also: reduced
// motion, Chinese and the dark theme in a screenshot, axe, and the demo page.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { axeViolations, launchBrowser, openPage, root, serverBinary, startHostSite } from "./harness.mjs";

const shots = join(root, "target", "e2e-screenshots");

let server;
let browser;
let fair; // a site on its own origin, registered through the command line
let hostOrigin;
let work; // a temporary directory for proof files

/** Calls the API with the site's API key, as its owner and its backend do. */
const api = (method, path, body) => fair.owner(method, path, body);

before(async () => {
  work = mkdtempSync(join(tmpdir(), "engage-lottery-"));
  // The site's page with one lottery: `/?lottery=…&member=…&lang=…&theme=…`.
  fair = await startHostSite({
    id: "fair", tz: "Asia/Shanghai", title: "Spring fair", tag: "engage-lottery",
    attributes: ["lottery"], defaults: { lottery: "lucky" },
  });
  server = fair.server;
  hostOrigin = fair.origin;
  const now = Date.now();
  await api("POST", "/api/v1/admin/sites/fair/lotteries", {
    id: "lucky", mode: "wheel",
    prizes: [
      { id: "mug", name: "Mug", weight: 40, stock: 5 },
      { id: "sticker", name: "Sticker", weight: 40, stock: 9 },
      { id: "keyboard", name: "Keyboard", weight: 1, stock: 1 },
    ],
    no_prize_weight: 19, cost: 10, daily_spins: 5,
    opens_at: new Date(now - 60_000).toISOString(), closes_at: new Date(now + 86_400_000).toISOString(),
  });
  await api("POST", "/api/v1/admin/sites/fair/lotteries/lucky/open");
  // The host's backend awards points for its own events: three spins' worth for Kai.
  await api("POST", "/api/v1/sites/fair/events", { member: "kai", name: "Kai", kind: "welcome", idempotency_key: "kai-welcome", points: 30 });
  await api("POST", "/api/v1/sites/fair/events", { member: "mei", name: "Mei", kind: "welcome", idempotency_key: "mei-welcome", points: 50 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fair?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const lottery = (page) => page.locator("engage-lottery");
const spinButton = (page) => lottery(page).locator("button.engage-lottery__button");
const stats = (page) => lottery(page).locator(".engage-lottery__stat-value");
const stockOf = (page, name) =>
  lottery(page).locator(".engage-lottery__prize", { hasText: name }).locator(".engage-lottery__stock");

async function clean(page) {
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.problems, []);
}

async function recordSpins(context) {
  await context.addInitScript(() => {
    window.__spins = [];
    document.addEventListener("engage:spin", (e) => window.__spins.push(e.detail));
  });
}

describe("a wheel on a host page of its own origin", () => {
  test("a member spins until out of points and sees balance and stock follow each spin", async () => {
    // Reduced motion: the outcome shows at once rather than after the wheel's four seconds.
    const context = await browser.newContext({ locale: "en-US", reducedMotion: "reduce" });
    await recordSpins(context);
    const spinner = await openPage(context, `${hostOrigin}/?member=kai`);
    await spinButton(spinner).getByText("Spin · 10 points").waitFor();
    assert.deepEqual(await stats(spinner).allInnerTexts(), ["30", "5"]);
    const stock = { Mug: 5, Sticker: 9, Keyboard: 1 };
    for (let spin = 1; spin <= 3; spin++) {
      const started = Date.now();
      await spinButton(spinner).click();
      const dialog = lottery(spinner).locator("dialog[open]");
      await dialog.waitFor();
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 2500, `the outcome took ${elapsed} ms with reduced motion`);
      const headline = await dialog.locator(".engage-lottery__outcome").innerText();
      const won = headline.match(/^You won: (.+)!$/)?.[1] ?? null;
      if (!won) assert.equal(headline, "Not this time");
      if (won) stock[won] -= 1;
      await lottery(spinner).locator(".engage-lottery__status").getByText(headline).waitFor();
      // Focus is in the dialog; Escape closes it and the focus goes back to the widget.
      assert.equal(await spinner.evaluate(() => document.querySelector("engage-lottery").shadowRoot.activeElement?.className), "engage-card__primary engage-lottery__ok");
      await spinner.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" }).catch(() => {});
      await lottery(spinner).locator("dialog:not([open])").waitFor({ state: "attached" });
      assert.deepEqual(await stats(spinner).allInnerTexts(), [String(30 - 10 * spin), String(5 - spin)]);
      for (const [name, left] of Object.entries(stock)) {
        assert.equal(await stockOf(spinner, name).innerText(), left === 0 ? "All won" : `${left} left`, name);
      }
    }
    // Out of points: the button says why it cannot be used.
    assert.equal(await spinButton(spinner).isDisabled(), true);
    await lottery(spinner).getByText("Not enough points: it costs 10, you have 0.").waitFor();
    const spins = await spinner.evaluate(() => window.__spins);
    assert.equal(spins.length, 3);
    assert.deepEqual(spins.map((s) => s.spin), [1, 2, 3]);
    assert.deepEqual(spins.map((s) => s.points), [20, 10, 0]);
    assert.ok(spins.every((s) => s.lottery === "lucky"));
    // After a reload the server says the same.
    await spinner.reload();
    await spinButton(spinner).waitFor();
    assert.deepEqual(await stats(spinner).allInnerTexts(), ["0", "2"]);
    await clean(spinner);
    await context.close();
  });

  test("without reduced motion the wheel turns for four seconds before the outcome", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${hostOrigin}/?member=mei`);
    await spinButton(page).getByText("Spin · 10 points").waitFor();
    const disc = lottery(page).locator(".engage-lottery__disc");
    assert.equal(await disc.evaluate((d) => getComputedStyle(d).transitionDuration), "4s");
    const started = Date.now();
    await spinButton(page).click();
    await lottery(page).locator("dialog[open]").waitFor();
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 3900, `the outcome came after ${elapsed} ms`);
    await lottery(page).locator(".engage-lottery__ok").click();
    await clean(page);
    await context.close();

    const reduced = await browser.newContext({ locale: "en-US", reducedMotion: "reduce" });
    const still = await openPage(reduced, `${hostOrigin}/?member=mei`);
    await spinButton(still).waitFor();
    assert.equal(await lottery(still).locator(".engage-lottery__disc").evaluate((d) => getComputedStyle(d).transitionDuration), "0s");
    await reduced.close();
  });

  test("Chinese in the dark theme: looked at, and no accessibility violations", async () => {
    // The host's strict CSP is checked above; axe needs an inline script of its own.
    const context = await browser.newContext({ locale: "zh-CN", colorScheme: "dark", bypassCSP: true });
    const page = await openPage(context, `${hostOrigin}/?member=mei&lang=zh-CN&theme=dark`);
    await spinButton(page).getByText("抽奖 · 10 积分").waitFor();
    await lottery(page).getByText("今日剩余次数").waitFor();
    await lottery(page).locator("summary").click();
    await lottery(page).getByText("种子哈希 (SHA-256)").waitFor();
    await lottery(page).screenshot({ path: join(shots, "lottery-zh-CN-dark.png") });
    assert.deepEqual(await axeViolations(page, "engage-lottery"), []);
    await clean(page);
    await context.close();

    const light = await browser.newContext({ locale: "en-US", colorScheme: "light", bypassCSP: true });
    const en = await openPage(light, `${hostOrigin}/?member=mei&theme=light`);
    await spinButton(en).waitFor();
    await lottery(en).screenshot({ path: join(shots, "lottery-en-light.png") });
    assert.deepEqual(await axeViolations(en, "engage-lottery"), []);
    await light.close();
  });

  test("the owner closes it; the proof verifies on the verify page and with the CLI, a tampered one fails", async () => {
    await api("POST", "/api/v1/admin/sites/fair/lotteries/lucky/close");
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${hostOrigin}/?member=kai`);
    await lottery(page).getByText("This lottery has closed.", { exact: false }).first().waitFor();
    assert.equal(await spinButton(page).count(), 0);
    await lottery(page).locator(".engage-lottery__badge").getByText("Closed").waitFor();
    await lottery(page).locator("summary").click();
    const verifyLink = lottery(page).locator("a.engage-lottery__verify");
    assert.equal(await verifyLink.getAttribute("href"), `${server.origin}/verify.html?site=fair&lottery=lucky`);
    await clean(page);

    // The proof, checked by the command line.
    const proof = await (await fetch(`${server.origin}/api/v1/sites/fair/lotteries/lucky/proof`)).json();
    assert.equal(proof.spins.length, 4);
    const good = join(work, "proof.json");
    writeFileSync(good, JSON.stringify(proof));
    const ok = spawnSync(serverBinary, ["verify-lottery", good], { encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /ok: every outcome matches/);
    // One outcome changed: the last, so that no later spin's stock depends on it.
    const tampered = structuredClone(proof);
    const last = tampered.spins[3];
    last.prize = last.prize === "mug" ? "sticker" : "mug";
    const bad = join(work, "tampered.json");
    writeFileSync(bad, JSON.stringify(tampered));
    const failed = spawnSync(serverBinary, ["verify-lottery", bad], { encoding: "utf8" });
    assert.notEqual(failed.status, 0);
    assert.match(failed.stdout + failed.stderr, /mismatch: seq 4: member '[a-z]+' spin \d+: expected/);

    // The verify page, opened from the widget's link, under a strict CSP of the server's.
    await verifyLink.click();
    await page.waitForURL(/verify\.html/);
    await page.locator("#verdict").getByText("✓ Every outcome of “lucky” matches the revealed seed.").waitFor();
    assert.deepEqual(await page.locator("#checks li").allInnerTexts(), ["✓ The seed matches the published hash", "4 spins checked"]);
    await page.close();

    const strict = await openPage(context, `${server.origin}/verify.html?csp=strict`);
    await strict.locator("#proof").fill(JSON.stringify(tampered));
    await strict.getByRole("button", { name: "Verify this proof" }).click();
    await strict.locator("#verdict").getByText("✗ 1 mismatch in “lucky”.").waitFor();
    const mismatches = await strict.locator("#mismatches li").allInnerTexts();
    assert.equal(mismatches.length, 1);
    assert.match(mismatches[0], /^seq 4: member '[a-z]+' spin \d+: expected .*, published '(mug|sticker)'$/);
    await strict.screenshot({ path: join(shots, "lottery-verify-tampered.png"), fullPage: true });
    await clean(strict);
    await context.close();

    const axe = await browser.newContext({ locale: "en-US", bypassCSP: true });
    const checked = await openPage(axe, `${server.origin}/verify.html?site=fair&lottery=lucky`);
    await checked.locator("#verdict").getByText(/matches the revealed seed/).waitFor();
    assert.deepEqual(await axeViolations(checked, "main"), []);
    await axe.close();
  });
});

describe("the demo page", () => {
  test("the demo member Lin sees the spring wheel with 100 points, in no more room than reserved", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${server.origin}/?csp=strict`);
    const widget = page.locator('engage-lottery[lottery="spring-wheel"]');
    await widget.locator(".engage-lottery__prize").first().waitFor();
    await widget.getByText("Sign in to spin").waitFor();
    const signedOut = await widget.evaluate((e) => e.getBoundingClientRect().height);
    await page.selectOption("#demo-member", "lin");
    await widget.locator(".engage-lottery__stat-value").first().getByText("100").waitFor();
    const card = await widget.evaluate((e) => e.shadowRoot.querySelector(".engage-card").getBoundingClientRect().height);
    const reserved = await widget.evaluate((e) => parseFloat(getComputedStyle(e).minHeight));
    assert.equal(reserved, 640);
    assert.ok(card <= reserved && signedOut <= reserved, `card ${card}px, signed out ${signedOut}px, reserved ${reserved}px`);
    await clean(page);
    await context.close();
  });
});
