// A stand-in for the Engage server's console routes, for looking at the console before the
// server speaks them all: serves dist/console as the server will (the shell for /console and
// /console/*, the bundle under /console/pkg/), the widget bundle from dist/ and www/, and
// answers /api/v1 with a small in-memory community (site "demo"). Not a test of the server.
import { createServer } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
import { join, extname, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".css": "text/css", ".json": "application/json" };
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

const now = Date.parse("2026-11-20T09:30:00Z");
const at = (minutesAgo) => new Date(now - minutesAgo * 60000).toISOString().replace(/\.\d+Z$/, "Z");

const RULES = `[checkin]
points = 10
milestones = [{ day = 7, bonus = 50 }, { day = 30, bonus = 200 }]

[checkin.makeup]
enabled = true
window_days = 7
cost = 30

[[levels]]
min_points = 0
title = "Newcomer"

[[levels]]
min_points = 100
title = "Regular"

[[levels]]
min_points = 500
title = "Community star"

[[badges]]
id = "week-streak"
name = "7-day streak"
title = "Regular"
criteria = { streak = 7 }
`;

export function state() {
  return {
    signedIn: true,
    owner: { email: "owner@example.com", admin: true, lang: null, sites: [{ id: "demo", name: "Demo community" }, { id: "shop", name: "shop" }] },
    sites: [
      { id: "demo", name: "Demo community", tz: "Asia/Shanghai", origins: ["https://www.example.com", "http://127.0.0.1:8080"], created_at: at(60 * 24 * 40) },
      { id: "shop", name: "shop", tz: "Europe/Berlin", origins: [], created_at: at(60 * 24 * 3) },
    ],
    versions: [
      { version: 2, format: "toml", installed_at: at(60 * 5), actor: { kind: "owner", id: 1, email: "owner@example.com" }, document: RULES },
      { version: 1, format: "toml", installed_at: at(60 * 24 * 9), actor: null, document: RULES.replace("points = 10", "points = 5") },
    ],
    polls: [
      { id: "favourite-feature", question: "Which feature should we build next?", options: [{ id: "dark-mode", label: "Dark mode", votes: 42 }, { id: "search", label: "Better search", votes: 31 }, { id: "api", label: "A public API", votes: 12 }], multiple: false, max_choices: 1, closes_at: at(-60 * 24 * 5), closed: false, my_choices: [], total_votes: 85, results_visible: true, results: "always", anonymous: true, allow_change: false, points_per_vote: 5, ip_limit: 20 },
      { id: "meetup-day", question: "选哪天聚会？", options: [{ id: "sat", label: "周六", votes: 9 }, { id: "sun", label: "周日", votes: 14 }], multiple: false, max_choices: 1, closes_at: at(60 * 24), closed: true, my_choices: [], total_votes: 23, results_visible: true, results: "after_close", anonymous: false, allow_change: false, points_per_vote: 0, ip_limit: 20 },
    ],
    lotteries: [
      { id: "spring-wheel", mode: "wheel", status: "open", prizes: [{ id: "mug", name: "Engage mug", weight: 5, stock: 17 }, { id: "sticker", name: "Sticker pack", weight: 30, stock: 240 }], no_prize_weight: 65, cost: 10, daily_spins: 3, opens_at: at(60 * 24 * 2), closes_at: at(-60 * 24 * 12), winners: 1, seed_hash: "9f2c4e1a7b3d5f60812a4c6e8f0b2d4f6a8c0e2f4a6c8e0b2d4f6a8c0e2f4a6c", spins: 318, proof: null,
        stock_left: [{ id: "mug", name: "Engage mug", stock: 20, stock_left: 17 }, { id: "sticker", name: "Sticker pack", stock: 300, stock_left: 240 }] },
      { id: "launch-giveaway", mode: "giveaway", status: "closed", prizes: [{ id: "tablet", name: "A tablet", weight: 1, stock: 0 }], no_prize_weight: 0, cost: 0, daily_spins: 1, opens_at: at(60 * 24 * 30), closes_at: at(60 * 24 * 20), closed_at: at(60 * 24 * 20), winners: 1, seed_hash: "1b3d5f7092a4c6e8f0b2d4f6a8c0e2f4a6c8e0b2d4f6a8c0e2f4a6c8e0b2d4f6", seed: "7e5c3a1f9d7b5a3c1e9f7d5b3a1c9e7f5d3b1a9c7e5f3d1b9a7c5e3f1d9b7a5c", entrants: 211, drawn_winners: [{ member: "u-1042", name: "林小雨" }], spins: 0,
        proof: "/api/v1/sites/demo/lotteries/launch-giveaway/proof", stock_left: [{ id: "tablet", name: "A tablet", stock: 1, stock_left: 0 }] },
    ],
    feedback: [
      { id: 3, status: "new", rating: 2, nps: null, category: "bug", text: "The check-in button does nothing on my phone.\nSafari 17, iPhone 13.", contact: "mia@example.com", page_url: "https://www.example.com/forum", context: null, member: "u-77", name: "Mia", visitor: null, spam_reason: null, day: "2026-11-20", created_at: at(45), updated_at: at(45), replies: [] },
      { id: 2, status: "spam", rating: null, nps: null, category: null, text: "<img src=x onerror=alert(1)> cheap pills www.spam.example www.spam2.example www.spam3.example", contact: null, page_url: "javascript:alert(1)", context: null, member: null, name: null, visitor: "v-3f9a0c21d4", spam_reason: "too many links (3, at most 2)", day: "2026-11-19", created_at: at(60 * 20), updated_at: at(60 * 20), replies: [] },
      { id: 1, status: "done", rating: 5, nps: null, category: "idea", text: "希望可以加一个夜间模式，谢谢！", contact: null, page_url: null, context: null, member: "u-1042", name: "林小雨", visitor: null, spam_reason: null, day: "2026-11-18", created_at: at(60 * 40), updated_at: at(60 * 30), replies: [{ id: 1, text: "已经在做了，下个月上线。", created_at: at(60 * 30) }] },
    ],
    members: [
      { member: "u-1042", name: "林小雨", points: 1280, level: 3, title: "Community star", last_seen: at(20) },
      { member: "u-77", name: "Mia", points: 145, level: 2, title: "Regular", last_seen: at(50) },
      { member: "u-5", name: "<b>Bob</b>", points: 0, level: 1, title: "Newcomer", last_seen: at(60 * 24 * 30) },
    ],
    ledger: [
      { id: 9, source: "admin", amount: 50, at: at(60), key: "admin:7f3c", reason: "Helped at the meetup" },
      { id: 8, source: "checkin", amount: 10, at: at(60 * 24), key: "checkin:2026-11-19" },
      { id: 7, source: "spin", amount: -10, at: at(60 * 30), key: "spin:spring-wheel:3" },
    ],
    webhook: { url: "https://www.example.com/hooks/engage", secret: "whsec_8b1f0c7a9e2d4c6b", events: ["checkin", "badge", "prize"] },
    deliveries: [
      { id: "evt_01", type: "checkin", status: "delivered", attempts: 1, last_status_code: 200, last_error: null, created_at: at(30), last_attempt_at: at(30), next_attempt_at: null, delivered_at: at(30) },
      { id: "evt_02", type: "prize", status: "failed", attempts: 8, last_status_code: 500, last_error: "receiver answered 500", created_at: at(60 * 26), last_attempt_at: at(60 * 2), next_attempt_at: null, delivered_at: null },
    ],
    audit: [
      { id: 5, at: at(10), actor: { kind: "owner", id: 1, email: "owner@example.com" }, action: "points_adjust", detail: { member: "u-1042", amount: 50, reason: "Helped at the meetup" } },
      { id: 4, at: at(60 * 5), actor: { kind: "owner", id: 1, email: "owner@example.com" }, action: "rules_install", detail: { version: 2 } },
      { id: 3, at: at(60 * 6), actor: { kind: "api_key" }, action: "rotate_secret", detail: { overlap: "24h" } },
      { id: 2, at: at(60 * 7), actor: { kind: "owner", id: 1, email: "owner@example.com" }, action: "sign_in", detail: {} },
    ],
  };
}

const json = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body === undefined ? "" : JSON.stringify(body));
};
const error = (res, status, code, message) => json(res, status, { error: { code, message } });

async function readBody(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : null;
}

function api(db, req, res, path, query) {
  const m = (re) => path.match(re);
  const method = req.method;
  if (path === "/api/v1/console/session") {
    if (method === "GET") return db.signedIn ? json(res, 200, { owner: db.owner }) : error(res, 401, "not_signed_in", "sign in first");
    if (method === "DELETE") { db.signedIn = false; return json(res, 204); }
    return readBody(req).then((body) => {
      if (body.password !== "correct horse battery") return error(res, 401, "invalid_credentials", "wrong email or password");
      db.signedIn = true;
      return json(res, 200, { owner: db.owner });
    });
  }
  if (!db.signedIn) return error(res, 401, "not_signed_in", "sign in first");
  if (path === "/api/v1/console/me") return readBody(req).then((b) => { db.owner.lang = b.lang; json(res, 200, { owner: db.owner }); });
  if (path === "/api/v1/console/sites") return json(res, 200, db.sites);
  let r;
  if ((r = m(/^\/api\/v1\/admin\/sites\/([^/]+)(.*)$/))) {
    const [, site, rest] = r;
    const siteView = db.sites.find((s) => s.id === site);
    if (!siteView) return error(res, 404, "site_not_found", "no such site");
    if (rest === "") return json(res, 200, siteView);
    if (rest === "/rules") return json(res, 200, { version: 2, format: "toml", document: RULES, installed_at: db.versions[0].installed_at });
    if (rest === "/rules/versions") return json(res, 200, db.versions.map(({ document, ...v }) => v));
    if ((r = rest.match(/^\/rules\/versions\/(\d+)$/))) { const v = db.versions.find((x) => x.version == r[1]); return json(res, 200, v); }
    if (rest === "/polls") return json(res, 200, db.polls);
    if ((r = rest.match(/^\/polls\/([^/]+)$/))) return json(res, 200, db.polls.find((p) => p.id === r[1]));
    if (rest === "/rewards") {
      const reward = (id, name, kind, price, extra) => Object.assign({
        id, name, kind, price, stock_left: null, per_member: null, opens_at: null, closes_at: null, status: "open",
        my_left: null, affordable: false, archived: false, codes_total: null, codes_left: null,
        redeemed: 0, pending: 0, fulfilled: 0, cancelled: 0, points_taken: 0, created_at: at(2000),
      }, extra);
      return json(res, 200, [
        reward("stickers", "Sticker pack <b>holo</b>", "item", 30, { stock_left: 12, redeemed: 3, pending: 2, fulfilled: 1, points_taken: 90 }),
        reward("coupon", "5% coupon", "code", 50, { stock_left: 8, codes_total: 10, codes_left: 8, per_member: 1, redeemed: 2, fulfilled: 2, points_taken: 100 }),
        reward("freeze", "连签冻结卡", "streak_freeze", 80, { redeemed: 1, fulfilled: 1, points_taken: 80 }),
      ]);
    }
    if (rest.startsWith("/redemptions")) {
      return json(res, 200, { next: null, redemptions: [
        { id: "r3", reward: "stickers", name: "Sticker pack <b>holo</b>", status: "pending", price: 30, at: at(12), member: "u-1042", member_name: "林小雨", updated_at: at(12) },
        { id: "r2", reward: "coupon", name: "5% coupon", status: "fulfilled", code: "SAVE-0002", price: 50, at: at(40), member: "u-77", member_name: "Mia", updated_at: at(40) },
      ] });
    }
    if (rest === "/lotteries") return json(res, 200, db.lotteries);
    if ((r = rest.match(/^\/lotteries\/([^/]+)$/))) return json(res, 200, db.lotteries.find((l) => l.id === r[1]));
    if ((r = rest.match(/^\/lotteries\/([^/]+)\/spins$/))) return json(res, 200, { spins: [{ seq: 318, member: "u-77", name: "Mia", spin: 3, prize: { id: "sticker", name: "Sticker pack" }, at: at(15) }, { seq: 301, member: "u-1042", name: "林小雨", spin: 1, prize: null, at: at(80) }], next_before: null });
    if (rest.startsWith("/feedback/stats")) return json(res, 200, { from: "2026-10-22", to: "2026-11-20", bucket: "day", totals: { count: 2, spam: 1, ratings: 2, rating_average: 3.5, nps_responses: 0, promoters: 0, passives: 0, detractors: 0, nps: null }, buckets: [] });
    if (rest === "/feedback") {
      const status = query.get("status");
      return json(res, 200, { items: db.feedback.filter((f) => !status || f.status === status), next_cursor: null });
    }
    if (rest === "/members") return json(res, 200, { members: db.members.filter((x) => !query.get("q") || x.member.includes(query.get("q")) || x.name.includes(query.get("q"))), next: null });
    if ((r = rest.match(/^\/members\/([^/]+)$/))) {
      const row = db.members.find((x) => x.member === decodeURIComponent(r[1]));
      return row ? json(res, 200, { ...row, badges: [{ id: "week-streak", name: "7-day streak", earned_at: at(60 * 24 * 3), title: "Regular" }], streak: 4, longest_streak: 12, first_seen: at(60 * 24 * 60) }) : error(res, 404, "member_not_found", "no such member");
    }
    if (rest.match(/^\/members\/[^/]+\/ledger$/)) return json(res, 200, { entries: db.ledger, next_before: null });
    if (rest === "/webhook") return db.webhook ? json(res, 200, db.webhook) : error(res, 404, "webhook_not_found", "no webhook");
    if (rest === "/webhook/deliveries") return json(res, 200, { deliveries: db.deliveries });
    if (rest.startsWith("/audit")) return json(res, 200, { entries: db.audit, next_before: null });
  }
  return error(res, 404, "not_found", "no such route");
}

function file(res, path, csp) {
  if (!existsSync(path) || !statSync(path).isFile()) { res.writeHead(404); return res.end("not found"); }
  const headers = { "content-type": TYPES[extname(path)] || "application/octet-stream" };
  if (csp) headers["content-security-policy"] = CSP;
  res.writeHead(200, headers);
  res.end(readFileSync(path));
}

/** Starts the fake on `port` (0: any); resolves with its origin and its data. */
export function startFake(port = 0) {
  const db = state();
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const path = url.pathname;
    if (path.startsWith("/api/v1/")) return api(db, req, res, path, url.searchParams);
    if (path.startsWith("/console/pkg/")) return file(res, join(root, "dist", path));
    if (path === "/console" || path.startsWith("/console/")) return file(res, join(root, "dist/console/index.html"), true);
    const dist = join(root, "dist", path);
    return file(res, existsSync(dist) ? dist : join(root, "www", path));
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok({ origin: `http://127.0.0.1:${server.address().port}`, db, server })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { origin } = await startFake(Number(process.env.PORT || 8090));
  console.log(`fake console server at ${origin}/console/ (password: correct horse battery)`);
}
