// The feedback widget end to end: real Chromium against a real server and a real SQLite file.
// A member sends feedback from a host page, the owner finds it and answers through the admin
// API, and the member reads the answer; a send that fails on the network keeps the text and
// goes out on Retry; a draft survives a reload; an XSS corpus stays inert text; the launcher
// is a keyboard-usable dialog; the demo page in Chinese and the dark theme, under a strict CSP,
// looked at in screenshots and checked with axe-core.
//
// The server limits feedback to 5 per 10 minutes per sender and 20 per hour per IP: every test
// sends at most once, each as its own member or visitor (a browser context of its own).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { axeViolations, cli, launchBrowser, openPage, root, startHostSite } from "./harness.mjs";

const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'";
const shots = join(root, "target", "e2e-screenshots");

const RULES = `[feedback]
anonymous = true
scale = "stars"
points = 5
max_length = 500
categories = [{ id = "bug", label = "Bug" }, { id = "idea", label = "Idea" }]
`;

let server;
let browser;
let club; // a site on its own origin, registered through the command line with its rules
let hostOrigin;

/** Calls the owner's API with the club's API key. */
const admin = (method, path, body) => club.owner(method, `/api/v1/admin/sites/club${path}`, body);

/** The owner's inbox items whose text contains `q`. */
async function inbox(q) {
  const { items } = await admin("GET", `/feedback?q=${encodeURIComponent(q)}`);
  return items;
}

before(async () => {
  // The club's page with the feedback widget: `/?member=…&mode=…&lang=…&theme=…&csp=off`; the
  // page has a strict CSP of its own unless `csp=off` (the XSS corpus runs without one, so
  // nothing but the widget stops it).
  club = await startHostSite({
    id: "club", tz: "Europe/Berlin", title: "Club news", tag: "engage-feedback", attributes: ["mode"],
    body: `<p id="below">Below the widget</p>`,
    setup: (db) => {
      const rules = `${db}.rules.toml`;
      writeFileSync(rules, RULES);
      cli(db, ["rules", "set", "--site", "club", rules, "--json"]);
    },
  });
  server = club.server;
  hostOrigin = club.origin;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await club?.stop();
});

/** A browser context that records `engage:feedback` events in `window.__feedback`. */
async function newContext(options = {}) {
  const context = await browser.newContext({ locale: "en-US", ...options });
  await context.addInitScript(() => {
    window.__feedback = [];
    document.addEventListener("engage:feedback", (e) => window.__feedback.push(e.detail));
  });
  return context;
}

const widget = (page) => page.locator("engage-feedback");
const textarea = (w) => w.locator("textarea");
const submit = (w) => w.locator("button.engage-feedback__submit");

async function clean(page, { allow = [] } = {}) {
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.problems.filter((p) => !allow.some((a) => p.includes(a))), []);
}

describe("feedback on a host page of its own origin", () => {
  test("a member sends feedback, the owner answers through the admin API, the member reads it", async () => {
    const context = await newContext();
    const page = await openPage(context, `${hostOrigin}/?member=alice&mode=inline`);
    const w = widget(page);
    await w.locator("legend").getByText("Your rating (optional)").waitFor();
    await w.getByText("Your first feedback earns 5 points").waitFor();
    await w.locator('input[name=rating][value="5"]').check();
    await w.locator("select").selectOption("idea");
    await textarea(w).fill("Could the meetup calendar export to my phone?");
    await w.locator(".engage-feedback__count").getByText("45 / 500").waitFor();
    await w.locator('input[type="text"]').fill("alice@example.com");
    await submit(w).click();
    await w.getByText("Thanks! We read every message.").waitFor();
    await w.getByText("+5 points").waitFor();
    const events = await page.evaluate(() => window.__feedback);
    assert.equal(events.length, 1);
    assert.equal(events[0].status, "new");

    // The owner's inbox has it, with the page and the widget's context attached.
    const [item] = await inbox("calendar export");
    assert.equal(item.id, events[0].id);
    assert.equal(item.text, "Could the meetup calendar export to my phone?");
    assert.equal(item.rating, 5);
    assert.equal(item.category, "idea");
    assert.equal(item.contact, "alice@example.com");
    assert.equal(item.member, "alice");
    assert.equal(item.page_url, `${hostOrigin}/?member=alice&mode=inline`);
    assert.deepEqual(
      { widget: item.context.widget, lang: item.context.lang, mode: item.context.mode },
      { widget: "feedback", lang: "en", mode: "inline" },
    );
    await admin("POST", `/feedback/${item.id}/replies`, { text: "Yes — an .ics link is coming next week.\nThanks!" });
    await admin("PATCH", `/feedback/${item.id}`, { status: "in_progress" });

    // The member opens "Your feedback" and sees the answer; again after a reload.
    for (const reload of [false, true]) {
      if (reload) await page.reload();
      await w.getByRole("button", { name: "Your feedback" }).click();
      const entry = w.locator(".engage-feedback__item");
      await entry.getByText("Yes — an .ics link is coming next week.").waitFor();
      await entry.locator(".engage-feedback__state").getByText("In progress").waitFor();
      await entry.getByText("Reply from the team").waitFor();
      await entry.getByText("Rated 5 of 5 stars").waitFor();
      assert.equal(await entry.locator(".engage-feedback__said").first().textContent(), item.text);
    }
    await clean(page);
    await context.close();
  });

  test("a send that fails on the network keeps the text, and Retry sends it", async () => {
    const context = await newContext();
    const page = await openPage(context, `${hostOrigin}/?mode=inline`);
    let aborted = 0;
    await page.route(`${server.origin}/api/v1/sites/club/feedback`, (route) => {
      if (route.request().method() === "POST" && aborted === 0) {
        aborted++;
        return route.abort("internetdisconnected");
      }
      return route.continue();
    });
    const w = widget(page);
    const text = "The forum search misses posts with accents (café).";
    await textarea(w).fill(text);
    await w.locator('input[name=rating][value="2"]').check();
    await submit(w).click();
    const failure = w.locator(".engage-feedback__failure");
    await failure.getByText("Can't connect. Check your connection and retry.").waitFor();
    await failure.getByText("Your message is kept on this device.").waitFor();
    assert.equal(aborted, 1);
    assert.equal(await textarea(w).inputValue(), text);
    assert.equal(await w.locator('input[name=rating][value="2"]').isChecked(), true);
    await failure.getByRole("button", { name: "Retry" }).click();
    await w.getByText("Thanks! We read every message.").waitFor();
    const items = await inbox("misses posts with accents");
    assert.equal(items.length, 1);
    assert.equal(items[0].text, text);
    assert.equal(items[0].rating, 2);
    assert.equal(items[0].member, null);
    // Sent: the draft is gone, and another message starts empty.
    assert.equal(await page.evaluate(() => localStorage.getItem("engage:feedback-draft:club")), null);
    await w.getByRole("button", { name: "Send more feedback" }).click();
    assert.equal(await textarea(w).inputValue(), "");
    await clean(page, { allow: ["net::ERR_INTERNET_DISCONNECTED"] });
    await context.close();
  });

  test("a draft survives a reload", async () => {
    const context = await newContext();
    const page = await openPage(context, `${hostOrigin}/?mode=inline`);
    const w = widget(page);
    await textarea(w).fill("Half-written: the sign-up page");
    await w.locator('input[name=rating][value="3"]').check();
    await w.locator("select").selectOption("bug");
    await w.locator('input[type="text"]').fill("@bob");
    await page.reload();
    await w.locator(".engage-feedback__count").getByText("30 / 500").waitFor();
    assert.equal(await textarea(w).inputValue(), "Half-written: the sign-up page");
    assert.equal(await w.locator('input[name=rating][value="3"]').isChecked(), true);
    assert.equal(await w.locator("select").inputValue(), "bug");
    assert.equal(await w.locator('input[type="text"]').inputValue(), "@bob");
    await clean(page);
    await context.close();
  });

  test("an XSS corpus sent through the widget stays inert text in Your feedback", async () => {
    const context = await newContext();
    const page = await openPage(context, `${hostOrigin}/?mode=inline&csp=off`);
    const corpus = [
      `<script>window.__pwned = "script"</script>`,
      `<img src=x onerror="window.__pwned = 'img'">`,
      `<a href="javascript:window.__pwned = 'link'">click me</a>`,
      `<svg onload="window.__pwned = 'svg'"></svg>`,
      `<div onmouseover="window.__pwned = 'hover'" onclick="window.__pwned = 'click'">hover me</div>`,
      `"><iframe srcdoc="<script>parent.__pwned = 'iframe'</script>"></iframe>`,
      `{{constructor.constructor('window.__pwned = "template"')()}}`,
    ].join("\n");
    const w = widget(page);
    await textarea(w).fill(corpus);
    await submit(w).click();
    await w.getByText("Thanks! We read every message.").waitFor();
    const [item] = await inbox("__pwned");
    assert.equal(item.text, corpus);
    assert.equal(item.status, "new", "no link, no blocked word: not spam");
    await admin("POST", `/feedback/${item.id}/replies`, { text: `<img src=y onerror="window.__pwned = 'reply'"> noted` });

    await w.getByRole("button", { name: "Your feedback" }).click();
    const entry = w.locator(".engage-feedback__item");
    const said = entry.locator(".engage-feedback__said");
    await said.nth(1).getByText(`<img src=y onerror="window.__pwned = 'reply'"> noted`).waitFor();
    assert.equal(await said.first().textContent(), corpus);
    // Hover and click everything, then look for any element or effect of the payloads.
    await said.first().hover();
    await said.first().click();
    const found = await w.evaluate((el) =>
      el.shadowRoot.querySelectorAll("script, img, a, svg, iframe, [onerror], [onload], [onclick], [onmouseover]").length,
    );
    assert.equal(found, 0);
    await page.waitForTimeout(200); // let a broken image's onerror fire, were there one
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await clean(page);
    await context.close();
  });

  test("the launcher opens a dialog from the keyboard, and Escape closes it without moving the page", async () => {
    const context = await newContext();
    const page = await openPage(context, `${hostOrigin}/?theme=light&csp=off`);
    const w = widget(page);
    const launcher = w.locator('[part="launcher"]');
    await launcher.waitFor();
    // The loader reserves the launcher's height: the text below does not move when it loads.
    const below = await page.locator("#below").boundingBox();
    const box = await w.boundingBox();
    assert.ok(Math.abs(box.height - 40) <= 1, `launcher height ${box.height}`);
    await launcher.focus();
    await page.keyboard.press("Enter");
    const dialog = w.getByRole("dialog", { name: "Feedback" });
    await dialog.waitFor();
    assert.equal(await launcher.getAttribute("aria-expanded"), "true");
    // The focus moved into the dialog: its first field, the first star.
    await w.locator('input[name=rating][value="1"]:focus').waitFor();
    await page.keyboard.press("ArrowRight");
    assert.equal(await w.locator('input[name=rating][value="2"]').isChecked(), true);
    assert.deepEqual(await axeViolations(page, "engage-feedback"), []);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await w.locator('[part="launcher"]:focus').waitFor();
    assert.deepEqual(await page.locator("#below").boundingBox(), below);
    await context.close();
  });
});

describe("feedback on the demo page", () => {
  test("Chinese and the dark theme under a strict CSP, reserved without a layout shift", async () => {
    const context = await newContext({ locale: "zh-CN", colorScheme: "dark" });
    const page = await openPage(context, `${server.origin}/?csp=strict`);
    const response = await page.reload();
    assert.equal(response.headers()["content-security-policy"], STRICT_CSP);
    const w = widget(page);
    const reserved = await w.boundingBox();
    await w.locator("legend").getByText("评分（可选）").waitFor();
    const loaded = await w.boundingBox();
    assert.ok(Math.abs(loaded.height - reserved.height) <= 2, `height moved from ${reserved.height} to ${loaded.height}`);

    await page.selectOption("#demo-lang", "zh-CN");
    await page.selectOption("#demo-theme", "dark");
    await page.selectOption("#demo-member", "xiaoming");
    await w.getByText("首次反馈可获得 5 积分").waitFor();
    await w.locator('input[name=rating][value="4"]').check();
    await w.locator("select").selectOption("idea");
    await textarea(w).fill("希望增加活动日历的订阅功能，这样我就不会错过聚会了。");
    await w.locator(".engage-feedback__count").getByText("26 / 2000").waitFor();
    const background = await w.locator(".engage-feedback").evaluate((el) => getComputedStyle(el).backgroundColor);
    const [r, g, b] = background.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 200, `dark background expected, got ${background}`);
    await w.screenshot({ path: join(shots, "feedback-zh-dark-form.png") });
    await submit(w).getByText("发送反馈").click();
    await w.getByText("谢谢！每条反馈我们都会认真阅读。").waitFor();
    await w.getByText("+5 积分").waitFor();
    await w.screenshot({ path: join(shots, "feedback-zh-dark-thanks.png") });
    await w.getByRole("button", { name: "我的反馈" }).click();
    await w.locator(".engage-feedback__item .engage-feedback__state").getByText("待处理").waitFor();
    await w.screenshot({ path: join(shots, "feedback-zh-dark-mine.png") });
    await page.screenshot({ path: join(shots, "feedback-demo-zh-dark.png"), fullPage: true });
    const sent = await page.evaluate(() => window.__feedback);
    assert.equal(sent.length, 1);
    assert.deepEqual(Object.keys(sent[0]).sort(), ["awarded", "id", "points", "status"]);
    await clean(page);
    await context.close();
  });
});

describe("accessibility", () => {
  for (const [lang, theme] of [["en", "light"], ["zh-CN", "dark"]]) {
    test(`axe-core finds no WCAG 2.1 AA violation in the form (${lang}, ${theme})`, async () => {
      const context = await browser.newContext({ bypassCSP: true });
      const page = await openPage(context, `${server.origin}/`);
      await page.selectOption("#demo-lang", lang);
      await page.selectOption("#demo-theme", theme);
      const w = widget(page);
      await textarea(w).waitFor();
      // Over the limit: the count in the danger colour must still read.
      await textarea(w).fill("x".repeat(2001));
      await w.locator(".engage-feedback__count--over").waitFor();
      assert.deepEqual(await axeViolations(page, "engage-feedback"), []);
      await textarea(w).fill("");
      await context.close();
    });
  }
});
