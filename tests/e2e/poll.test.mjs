// The poll widget end to end: real Chromium against a real server and a real SQLite file.
// Two members vote on one poll and each sees the tally move without a reload; results shown
// only after voting; a poll closed by its owner through the admin API; the demo page under a
// strict CSP; Chinese and the dark theme, looked at in screenshots.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { axeViolations, launchBrowser, openPage, root, startHostSite } from "./harness.mjs";

const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'";
const shots = join(root, "target", "e2e-screenshots");

let browser;
let club; // a site on its own origin, registered through the command line
let server;
let hostOrigin;

/** Calls the owner's API with the club's API key. */
const admin = (method, path, body) => club.owner(method, `/api/v1/admin/sites/club${path}`, body);

const options = (...labels) => labels.map((label) => ({ id: label.toLowerCase().replace(/\W+/g, "-"), label }));

before(async () => {
  // The club's page with one poll: `/?poll=…&member=…&lang=…&theme=…`.
  club = await startHostSite({ id: "club", tz: "Europe/Berlin", title: "Club news", tag: "engage-poll", attributes: ["poll"] });
  server = club.server;
  hostOrigin = club.origin;
  await admin("POST", "/polls", {
    id: "lunch", question: "Where shall we have lunch?", options: options("Pizza", "Noodles", "Salad"),
    results: "always", points: 3, allow_change: true,
  });
  await admin("POST", "/polls", {
    id: "mascot", question: "Pick a mascot", options: options("Otter", "Heron", "Beaver"),
    results: "after_vote",
  });
  await admin("POST", "/polls", {
    id: "venue", question: "Which venue for the summer party?", options: options("Park", "Rooftop"),
    results: "after_close", closes_at: "2099-06-30T16:00:00Z",
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await club?.stop();
});

const poll = (page, id) => page.locator(id ? `engage-poll[poll="${id}"]` : "engage-poll");
const summary = (widget) => widget.locator(".engage-poll__summary");
const submit = (widget) => widget.locator("button.engage-poll__button");

async function clean(page) {
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.problems, []);
}

describe("a poll on a host page of its own origin", () => {
  test("two members vote and each sees the tally reach 2 without reloading", async () => {
    const alice = await browser.newContext({ locale: "en-US" });
    const bob = await browser.newContext({ locale: "en-US" });
    const pageA = await openPage(alice, `${hostOrigin}/?poll=lunch&member=alice`);
    const pageB = await openPage(bob, `${hostOrigin}/?poll=lunch&member=bob`);
    const [a, b] = [poll(pageA), poll(pageB)];
    for (const widget of [a, b]) {
      await widget.locator("fieldset legend").getByText("Where shall we have lunch?").waitFor();
      await summary(widget).getByText("No votes yet").waitFor();
      assert.equal(await widget.locator("input[type=radio]").count(), 3);
      assert.equal(await submit(widget).isDisabled(), true);
    }
    await a.getByText("Vote to earn 3 points").waitFor();

    await a.locator('input[value="pizza"]').check();
    await submit(a).click();
    await a.locator(".engage-card__status").getByText(/Thanks for voting! \+3 points/).waitFor();
    await submit(a).getByText("Change vote").waitFor();
    // Bob's page learns of Alice's vote from the event stream.
    await summary(b).getByText("1 voter").waitFor();

    await b.locator('input[value="noodles"]').check();
    await submit(b).click();
    await summary(b).getByText("2 voters").waitFor();
    await summary(a).getByText("2 voters").waitFor();
    for (const widget of [a, b]) {
      await widget.locator(".engage-poll__option", { hasText: "Pizza" }).getByText("1 vote · 50%").waitFor();
      await widget.locator(".engage-poll__option", { hasText: "Noodles" }).getByText("1 vote · 50%").waitFor();
      const width = await widget
        .locator(".engage-poll__option", { hasText: "Salad" })
        .locator(".engage-poll__fill")
        .evaluate((el) => el.style.width);
      assert.equal(width, "0%");
    }

    const votes = await pageA.evaluate(() => window.__events.filter((e) => e.type === "engage:vote").map((e) => e.detail));
    assert.deepEqual(votes, [{ poll: "lunch", choices: ["pizza"], awarded: 3, points: 3 }]);
    await pageA.screenshot({ path: join(shots, "poll-en-light-two-voters.png") });
    await clean(pageA);
    await clean(pageB);
    await alice.close();
    await bob.close();
  });

  test("results shown after voting stay hidden until the member votes", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${hostOrigin}/?poll=mascot&member=carol`);
    const widget = poll(page);
    // At sidebar width the note beside the button wraps rather than being cut off (it was
    // "Results appear after you…").
    await widget.evaluate((el) => { el.style.width = "340px"; });
    await summary(widget).getByText("Results appear after you vote").waitFor();
    const note = await summary(widget).evaluate((el) => [el.scrollHeight, el.clientHeight, el.scrollWidth, el.clientWidth]);
    assert.ok(note[0] <= note[1] && note[2] <= note[3], `the note overflows: ${note}`);
    assert.equal(await widget.locator(".engage-poll__bar").count(), 0);
    assert.equal(await widget.getByText(/votes? ·/).count(), 0);

    await widget.locator('input[value="heron"]').check();
    await submit(widget).click();
    // A vote that cannot be changed: the form gives way to the results, the choice marked.
    await summary(widget).getByText("1 voter").waitFor();
    assert.equal(await widget.locator("form").count(), 0);
    await widget.locator(".engage-poll__option--mine", { hasText: "Heron" }).getByText("1 vote · 100%").waitFor();
    assert.equal(await widget.locator(".engage-poll__bar").count(), 3);
    await widget.getByText("You voted.").waitFor();
    await clean(page);
    await context.close();
  });

  test("a poll the owner closes through the admin API shows its final results and no form", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${hostOrigin}/?poll=venue&member=dave`);
    const widget = poll(page);
    await widget.getByText(/^Closes Jun 30, \d\d:00$/).waitFor();
    await summary(widget).getByText("Results appear after the poll closes").waitFor();
    await widget.locator('input[value="rooftop"]').check();
    await submit(widget).click();
    await page.locator("engage-poll .engage-card__status").getByText("Thanks for voting!").waitFor();
    assert.equal(await widget.locator(".engage-poll__bar").count(), 0);

    const closed = await admin("PATCH", "/polls/venue", { closed: true });
    assert.equal(closed.closed, true);
    // The open page follows without a reload.
    await widget.locator(".engage-poll__badge").getByText("Closed").waitFor();
    assert.equal(await widget.locator("form").count(), 0);
    assert.equal(await widget.locator("input").count(), 0);
    await summary(widget).getByText("1 voter").waitFor();
    await widget.locator(".engage-poll__option--mine", { hasText: "Rooftop" }).getByText("1 vote · 100%").waitFor();
    await widget.getByText("Voting has ended.").waitFor();
    // The time it closed sits beside the Closed badge.
    await widget.locator(".engage-poll__when").getByText(/^[A-Z][a-z]{2} \d{1,2}, \d\d:\d\d$/).waitFor();

    // A visitor arriving later sees the same.
    const later = await openPage(context, `${hostOrigin}/?poll=venue`);
    await poll(later).locator(".engage-poll__badge").waitFor();
    assert.equal(await poll(later).locator("form").count(), 0);
    await summary(poll(later)).getByText("1 voter").waitFor();
    await clean(page);
    await clean(later);
    await context.close();
  });
});

describe("polls on the demo page", () => {
  test("anonymous and member votes under a strict Content-Security-Policy, with no violation", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${server.origin}/?csp=strict`);
    const response = await page.reload();
    assert.equal(response.headers()["content-security-policy"], STRICT_CSP);
    const favourite = poll(page, "favourite-feature");
    const meetup = poll(page, "meetup-day");
    // The sidebar poll reserves its box before it renders: nothing below it moves.
    const reserved = await favourite.boundingBox();
    await favourite.locator("legend").getByText("Which feature should we build next?").waitFor();
    const loaded = await favourite.boundingBox();
    assert.ok(Math.abs(loaded.height - reserved.height) <= 2, `height moved from ${reserved.height} to ${loaded.height}`);

    // Signed out: the sidebar poll takes anonymous votes; the meetup poll is for members.
    await meetup.locator(".engage-poll__hint").getByText("Sign in to vote").waitFor();
    assert.equal(await meetup.locator("input:disabled").count(), 5);
    await favourite.locator('input[value="dark-mode"]').check();
    await submit(favourite).click();
    await summary(favourite).getByText("1 voter").waitFor();
    const visitor = await page.evaluate(() => localStorage.getItem("engage:visitor"));
    assert.match(visitor, /^[A-Za-z0-9_-]{22,64}$/);

    // Signed in: up to two days, the third box disabled once two are ticked.
    await page.selectOption("#demo-member", "alice");
    await meetup.getByText("Choose up to 2").waitFor();
    await meetup.locator('input[value="tuesday"]').check();
    await meetup.locator('input[value="thursday"]').check();
    assert.equal(await meetup.locator('input[value="friday"]').isDisabled(), true);
    await submit(meetup).click();
    await summary(meetup).getByText("1 voter").waitFor();
    assert.equal(await meetup.locator(".engage-poll__option--mine").count(), 2);
    await page.screenshot({ path: join(shots, "poll-demo-en-light-csp.png"), fullPage: true });

    const detail = await page.evaluate(() => window.__events.filter((e) => e.type === "engage:vote").map((e) => e.detail));
    assert.deepEqual(detail, [
      { poll: "favourite-feature", choices: ["dark-mode"], awarded: 0 },
      { poll: "meetup-day", choices: ["tuesday", "thursday"], awarded: 5, points: 5 },
    ]);
    await clean(page);
    await context.close();
  });

  test("Chinese and the dark theme", async () => {
    const context = await browser.newContext({ locale: "zh-CN", colorScheme: "dark" });
    const page = await openPage(context, `${server.origin}/?csp=strict`);
    await page.selectOption("#demo-lang", "zh-CN");
    await page.selectOption("#demo-theme", "dark");
    await page.selectOption("#demo-member", "xiaoming");
    const favourite = poll(page, "favourite-feature");
    const meetup = poll(page, "meetup-day");
    await submit(favourite).getByText("投票", { exact: true }).waitFor();
    await favourite.getByText("投票可获得 5 积分").waitFor();
    await meetup.getByText("最多选择 2 项").waitFor();
    await summary(meetup).getByText("投票后即可查看结果").waitFor();
    await favourite.locator('input[value="mobile-app"]').check();
    await submit(favourite).click();
    await favourite.locator(".engage-card__status").getByText(/^投票成功！\+5 积分。结果：/).waitFor();
    await submit(favourite).getByText("修改投票").waitFor();
    await summary(favourite).getByText(/^共 \d+ 人投票$/).waitFor();
    const background = await favourite.locator(".engage-poll").evaluate((el) => getComputedStyle(el).backgroundColor);
    const [r, g, b] = background.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 200, `dark background expected, got ${background}`);
    await favourite.screenshot({ path: join(shots, "poll-zh-dark-sidebar.png") });
    await meetup.screenshot({ path: join(shots, "poll-zh-dark-meetup.png") });
    await page.screenshot({ path: join(shots, "poll-demo-zh-dark.png"), fullPage: true });
    await clean(page);
    await context.close();
  });
});

describe("accessibility", () => {
  for (const [lang, theme, member] of [["en", "light", "mei"], ["zh-CN", "dark", "bob"]]) {
    test(`axe-core finds no WCAG 2.1 AA violation in the form and the results (${lang}, ${theme})`, async () => {
      const context = await browser.newContext({ bypassCSP: true });
      const page = await openPage(context, `${server.origin}/`);
      await page.selectOption("#demo-lang", lang);
      await page.selectOption("#demo-theme", theme);
      await page.selectOption("#demo-member", member);
      const favourite = poll(page, "favourite-feature");
      const meetup = poll(page, "meetup-day");
      await favourite.locator(".engage-poll__bar").first().waitFor();
      await meetup.locator("input:enabled").first().waitFor();
      // The form with the tally beside it, and a form whose results wait for a vote.
      assert.deepEqual(await axeViolations(page, 'engage-poll[poll="favourite-feature"]'), []);
      assert.deepEqual(await axeViolations(page, 'engage-poll[poll="meetup-day"]'), []);
      // The results with the member's choices marked.
      await meetup.locator('input[value="monday"]').check();
      await submit(meetup).click();
      await meetup.locator(".engage-poll__option--mine").waitFor();
      assert.deepEqual(await axeViolations(page, 'engage-poll[poll="meetup-day"]'), []);
      await context.close();
    });
  }
});
