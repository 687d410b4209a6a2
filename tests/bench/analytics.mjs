// Analytics and import benchmark, run by `cargo xtask bench`: a real server (bench profile) on a
// SQLite file seeded with 100,000 members, 1,000,000 ledger entries and 3,000,000 activity rows
// over a year (`engage-server bench-seed --activity`). It measures the owner's analytics route
// for 30, 90 and 365 days (with the site's API key, over real HTTP) against /healthz, and then
// the rate of `engage-server import` on a generated history file of mixed record types (into a
// database of its own).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, root, serverBinary as serverBin, startServer } from "../e2e/harness.mjs";
import { measure as measureFor, printResults } from "./measure.mjs";

const seconds = Number(process.env.BENCH_SECONDS || 5);
const concurrency = Number(process.env.BENCH_ANALYTICS_CONCURRENCY || 2);
const members = Number(process.env.BENCH_MEMBERS || 100000);
const entries = Number(process.env.BENCH_ENTRIES || 1000000);
const activity = Number(process.env.BENCH_ACTIVITY || 3000000);
const importLines = Number(process.env.BENCH_IMPORT_LINES || 200000);

let site;
let seeded;
const server = await startServer({
  // The analytics route is the owner's: the API key's own limit (100 a second) is far above
  // what these requests reach.
  before: (db) => {
    site = cli(db, ["site", "add", "--id", "bench", "--origin", "http://localhost:1", "--tz", "Asia/Shanghai", "--json"]);
    seeded = cli(db, ["bench-seed", "--site", "bench", "--members", String(members), "--entries", String(entries),
      "--days", "365", "--activity", String(activity)]);
  },
});
console.log(`seeded ${seeded.members} members, ${seeded.ledger_rows} ledger entries and ${seeded.activity_rows} activity rows in ${seeded.seconds.toFixed(1)} s`);

const day = (offset) => new Date(Date.now() + 8 * 3600e3 - offset * 86400e3).toISOString().slice(0, 10);
const analytics = (days) => () => fetch(`${server.origin}/api/v1/admin/sites/bench/analytics?from=${day(days - 1)}&to=${day(0)}`,
  { headers: { authorization: `Bearer ${site.api_key}` } });
await (await analytics(30)()).text();

const results = [];
results.push(await measureFor("GET /healthz (baseline)", () => fetch(`${server.origin}/healthz`), { seconds, concurrency }));
for (const days of [30, 90, 365]) {
  results.push(await measureFor(`GET analytics, ${days} days`, analytics(days), { seconds, concurrency }));
}
await server.stop();

// A history of `importLines` lines: a member record, then visits, check-ins, points and
// events for them, in the proportions a forum export has.
const dir = mkdtempSync(join(tmpdir(), "engage-import-"));
const file = join(dir, "history.jsonl");
const db = join(dir, "import.db");
const lines = [];
for (let i = 0; lines.length < importLines; i++) {
  const member = `u${i % 20000}`;
  const date = day(1 + (i % 300));
  if (i < 20000) lines.push(JSON.stringify({ type: "member", member, name: `User ${i}`, joined_at: "2024-01-01T00:00:00Z" }));
  lines.push(JSON.stringify({ type: "visit", member, date }));
  if (i % 2 === 0) lines.push(JSON.stringify({ type: "checkin", member, date, points: 5 }));
  if (i % 4 === 0) lines.push(JSON.stringify({ type: "points", member, amount: 10, at: `${date}T03:00:00Z`, key: `p${i}` }));
  if (i % 8 === 0) lines.push(JSON.stringify({ type: "event", member, kind: "post", at: `${date}T04:00:00Z`, idempotency_key: `e${i}`, points: 2 }));
}
lines.length = importLines;
writeFileSync(file, lines.join("\n") + "\n");
cli(db, ["site", "add", "--id", "imported", "--origin", "http://localhost:2", "--tz", "Asia/Shanghai", "--json"]);
const timed = () => {
  const started = performance.now();
  const out = execFileSync(serverBin, ["import", "--db", db, "--site", "imported", file, "--json"], { cwd: root, encoding: "utf8" });
  return { report: JSON.parse(out), seconds: (performance.now() - started) / 1000 };
};
const first = timed();
const again = timed();
rmSync(dir, { recursive: true, force: true });
const imports = [
  { name: "import (first time)", lines: importLines, seconds: first.seconds, lines_per_second: importLines / first.seconds, report: first.report },
  { name: "import (again: every line unchanged)", lines: importLines, seconds: again.seconds, lines_per_second: importLines / again.seconds, report: again.report },
];

console.log(`\n${seconds} s per path, ${concurrency} concurrent clients, ${members} members, ${entries} ledger entries, ${activity} activity rows over 365 days\n`);
printResults(results, 40);
console.log("");
for (const run of imports) {
  console.log(`${run.name.padEnd(40)} ${String(run.lines).padStart(8)} lines in ${run.seconds.toFixed(2)} s: ${run.lines_per_second.toFixed(0)} lines/s`);
}
mkdirSync(join(root, "target/bench"), { recursive: true });
writeFileSync(join(root, "target/bench/analytics.json"), JSON.stringify({ seconds, concurrency, members, entries, activity, seeded, results, imports }, null, 2));
if (results.some((r) => r.failures > 0) || again.report.unchanged !== importLines) process.exitCode = 1;
