// One binary: a copy of the server started in an empty directory — no dist/, no www/ there, no
// --static-dir or --www-dir — serves the widgets built into it. A host site on another origin
// loads the loader, the glue and the wasm from it (with the headers they have from disk: brotli,
// CORS, immutable versioned files) and its check-in widget works; with --demo, the demo page
// built into it does too.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, openPage, serverBinary, startHostSite, startServer } from "./harness.mjs";

let elsewhere; // an empty directory holding only a copy of the binary
let bin;
let browser;

before(async () => {
  elsewhere = mkdtempSync(join(tmpdir(), "engage-one-binary-"));
  bin = join(elsewhere, "engage-server");
  copyFileSync(serverBinary, bin);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  rmSync(elsewhere, { recursive: true, force: true });
});

const outside = () => ({ bin, cwd: elsewhere, assetDirs: false });

/** The responses of `page` that came from `origin`, by path. */
function recordResponses(page, origin) {
  const seen = new Map();
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.origin === origin) seen.set(url.pathname, response);
  });
  return seen;
}

test("a server started outside the checkout serves its widgets to a host site", async () => {
  assert.deepEqual(readdirSync(elsewhere), ["engage-server"]);
  const host = await startHostSite({ id: "faraway", title: "Far away", tag: "engage-checkin", server: outside() });
  try {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    const responses = recordResponses(page, host.server.origin);
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${host.origin}/?member=alice`);

    const widget = page.locator("engage-checkin");
    const button = widget.locator(".engage-checkin__button");
    await button.getByText("Check in", { exact: true }).waitFor();
    await button.click();
    await button.getByText(/checked in today/i).waitFor();

    for (const path of ["/engage.js", "/pkg/engage_widgets.js", "/pkg/engage_widgets_bg.wasm"]) {
      const response = responses.get(path);
      assert.ok(response, `${path} was fetched from the server (saw ${[...responses.keys()]})`);
      assert.equal(response.status(), 200, path);
      const headers = await response.allHeaders();
      assert.equal(headers["access-control-allow-origin"], "*", path);
      assert.ok(["br", "gzip"].includes(headers["content-encoding"]), `${path}: precompressed, not ${headers["content-encoding"]}`);
      if (path.startsWith("/pkg/")) {
        assert.equal(headers["cache-control"], "public, max-age=31536000, immutable", path);
      }
    }
    const wasm = await responses.get("/pkg/engage_widgets_bg.wasm").allHeaders();
    assert.equal(wasm["content-type"], "application/wasm");
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await host.stop();
  }
  // It ran there without writing anything beside itself.
  assert.deepEqual(readdirSync(elsewhere), ["engage-server"]);
});

test("with --demo it serves the demo page built into it", async () => {
  const server = await startServer(outside());
  try {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await openPage(context, `${server.origin}/?csp=strict`);
    const button = page.locator("engage-checkin").locator(".engage-checkin__button");
    await page.selectOption("#demo-member", "alice");
    await button.getByText("Check in", { exact: true }).waitFor();
    assert.deepEqual(page.problems, []);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    await context.close();
  } finally {
    await server.stop();
  }
});
