// Shared set-up of the end-to-end tests: a real engage-server on a fresh SQLite file in a temp
// directory, on a free port, and Debian's Chromium driven by playwright-core.
import { spawn, execFileSync } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const root = resolve(import.meta.dirname, "../..");
const serverBin = process.env.ENGAGE_SERVER_BIN || join(root, "target/debug/engage-server");
export const serverBinary = serverBin;

export async function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

/**
 * Runs the server's command line (e.g. `site add … --json`) and returns its parsed JSON; `input`
 * is written to its stdin (e.g. the password of `owner add --password-stdin`).
 */
export function cli(db, args, { input } = {}) {
  const out = execFileSync(serverBin, [...args, "--db", db], { cwd: root, encoding: "utf8", input });
  return JSON.parse(out);
}

/**
 * Starts `engage-server serve --demo` on a new database (or on `db`, left in place when given);
 * resolves once it answers /healthz. By default it runs in the checkout and serves `dist/` and
 * `www/` from disk; `bin`, `cwd` and `assetDirs: false` run another copy of the binary elsewhere
 * on the files built into it.
 */
export async function startServer({ before, db: existing, extraArgs = [], bin = serverBin, cwd = root, assetDirs = true } = {}) {
  const dir = existing ? null : mkdtempSync(join(tmpdir(), "engage-e2e-"));
  const db = existing ?? join(dir, "engage.db");
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  if (before) before(db);
  const dirs = assetDirs ? ["--static-dir", "dist", "--www-dir", "www"] : [];
  const child = spawn(
    bin,
    // Every browser of every test comes from 127.0.0.1: the per-IP limit, meant for floods
    // from one address, would otherwise count a whole test file's page loads as one visitor's.
    ["serve", "--db", db, "--addr", `127.0.0.1:${port}`, "--demo", ...dirs,
      "--ip-requests-per-minute", "6000", ...extraArgs],
    { cwd, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "warn" } },
  );
  const exited = new Promise((ok) => child.once("exit", ok));
  for (let i = 0; ; i++) {
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (child.exitCode !== null) throw new Error(`engage-server exited with ${child.exitCode}`);
    if (i > 300) throw new Error("engage-server did not start within 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin,
    db,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    /** Kills the server without any chance to flush or shut down, as a crash or power cut would. */
    async crash() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/**
 * Opens a page that records what must never happen: console errors, uncaught exceptions and
 * Content-Security-Policy violations, and every `engage:*` event the widgets dispatch.
 */
export async function openPage(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    window.__violations = [];
    window.__events = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
    for (const type of ["engage:ready", "engage:checkin", "engage:vote", "engage:error"]) {
      document.addEventListener(type, (e) => window.__events.push({ type, detail: e.detail }));
    }
  });
  await page.goto(url);
  page.problems = problems;
  return page;
}

/** Mints a member token the way a host site's backend does (see the README). */
export function mintToken({ secret, site, member, name, ttlSeconds = 3600 }) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: member, name, site, iat: now, exp: now + ttlSeconds })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

/** Runs axe-core (WCAG 2 A and AA rules) on one element, shadow root included. */
export async function axeViolations(page, selector) {
  await page.addScriptTag({ path: join(root, "node_modules/axe-core/axe.min.js") });
  return page.evaluate(async (selector) => {
    const result = await window.axe.run(document.querySelector(selector), {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  }, selector);
}

/**
 * Calls `server`'s API as a site's backend or owner does, with the site's API key (`site` is
 * what `site add --json` printed); resolves to the parsed answer, throws on an error status.
 */
export async function callWithApiKey(server, site, method, path, payload) {
  const response = await fetch(`${server.origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${site.api_key}`, "content-type": "application/json" },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * A host site on its own origin, set up as an owner does: registered with `site add` before the
 * server starts (`setup(db, site)` may install rules), its pages served from
 * http://localhost:<port> under a strict CSP of their own (unless a page asks `csp=off`).
 * A page request `/?member=…&lang=…&theme=…&<attributes>` gets one `<tag>` element: the member
 * token is minted here, as the host's backend would; `attributes` name the widget's own
 * attributes taken from the query (with `defaults`).
 */
export async function startHostSite({ id, tz = "UTC", title, tag, attributes = [], defaults = {}, body = "", setup, server: serverOptions = {} }) {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  let site;
  const server = await startServer({
    ...serverOptions,
    before: (db) => {
      site = cli(db, ["site", "add", "--id", id, "--origin", origin, "--tz", tz, "--json"]);
      setup?.(db, site);
    },
  });
  const page = (url) => {
    const query = new URL(url, "http://x").searchParams;
    const value = (name) => query.get(name) ?? defaults[name];
    const member = query.get("member");
    const token = member ? mintToken({ secret: site.secret, site: id, member, name: member }) : null;
    const element = [
      `site="${id}"`,
      ...attributes.map((name) => (value(name) ? `${name}="${value(name)}"` : "")),
      token ? `member-token="${token}"` : "",
      ...["lang", "theme"].map((name) => (query.get(name) ? `${name}="${query.get(name)}"` : "")),
    ].filter(Boolean).join(" ");
    return `<!doctype html><html lang="${query.get("lang") ?? "en"}"><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="/favicon.ico"><script type="module" src="${server.origin}/engage.js"></script></head>
<body><h1>${title}</h1><${tag} ${element}></${tag}>${body}</body></html>`;
  };
  const host = createHttpServer((req, res) => {
    if (!req.url.startsWith("/?")) {
      res.writeHead(204);
      res.end();
      return;
    }
    const headers = { "content-type": "text/html; charset=utf-8" };
    if (!req.url.includes("csp=off")) {
      headers["content-security-policy"] =
        `default-src 'self'; script-src ${server.origin} 'wasm-unsafe-eval'; connect-src ${server.origin}; style-src 'self'`;
    }
    res.writeHead(200, headers);
    res.end(page(req.url));
  });
  await new Promise((ok) => host.listen(port, "localhost", ok));
  return {
    server,
    site,
    origin,
    /** Calls the API as the host's backend or the owner does, with the site's API key. */
    owner: (method, path, payload) => callWithApiKey(server, site, method, path, payload),
    async stop() {
      host.close();
      await server.stop();
    },
  };
}
