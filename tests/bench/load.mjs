// Load benchmark of the server's hot paths, run by `cargo xtask bench`: a real server (built
// with the bench profile) on a fresh SQLite file, driven over real HTTP by concurrent clients.
// Absolute numbers drift on shared machines; compare each path with the /healthz baseline
// measured in the same run.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cli, mintToken, root, startServer } from "../e2e/harness.mjs";

const seconds = Number(process.env.BENCH_SECONDS || 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY || 32);

let site;
const server = await startServer({
  extraArgs: ["--ip-requests-per-minute", "100000000", "--member-writes-per-minute", "100000000"],
  before: (db) => {
    site = cli(db, ["site", "add", "--id", "bench", "--origin", "http://localhost:1", "--json"]);
  },
});

const tokens = new Map();
const token = (member) => {
  if (!tokens.has(member)) tokens.set(member, mintToken({ secret: site.secret, site: "bench", member, name: member }));
  return tokens.get(member);
};

/** Runs `request(i)` from `concurrency` loops for `seconds`; returns throughput and latency. */
async function measure(name, request) {
  const latencies = [];
  let next = 0;
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const i = next++;
      const start = performance.now();
      const response = await request(i);
      const body = await response.text();
      if (!response.ok) {
        failures++;
        if (failures <= 3) console.error(`${name}: ${response.status} ${body}`);
      }
      latencies.push(performance.now() - start);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { name, requests: latencies.length, failures, per_second: latencies.length / elapsed, p50_ms: pct(0.5), p99_ms: pct(0.99) };
}

const api = `${server.origin}/api/v1/sites/bench`;
const json = (member, body) => ({
  method: "POST",
  headers: { authorization: `Bearer ${token(member)}`, "content-type": "application/json" },
  body: JSON.stringify(body),
});

await fetch(`${server.origin}/api/v1/admin/sites/bench/polls`, {
  method: "POST",
  headers: { authorization: `Bearer ${site.api_key}`, "content-type": "application/json" },
  body: JSON.stringify({ id: "bench-poll", question: "Which?", options: [{ id: "a", label: "A" }, { id: "b", label: "B" }], points: 5 }),
});

const results = [];
results.push(await measure("GET /healthz (baseline)", () => fetch(`${server.origin}/healthz`)));
results.push(await measure("POST check-in, a new member each (award, fsync)", (i) => fetch(`${api}/checkin`, json(`m${i}`, {}))));
results.push(await measure("POST check-in, repeated (already checked in)", (i) => fetch(`${api}/checkin`, json(`m${i % 1000}`, {}))));
results.push(await measure("GET check-in state (token, streak, month)", (i) => fetch(`${api}/checkin`, { headers: { authorization: `Bearer ${token(`m${i % 1000}`)}` } })));
results.push(await measure("POST vote, a new member each (ballot, tally, award)", (i) => fetch(`${api}/polls/bench-poll/votes`, json(`v${i}`, { choices: [i % 2 ? "a" : "b"] }))));
results.push(await measure("GET poll with tally", (i) => fetch(`${api}/polls/bench-poll`, { headers: { authorization: `Bearer ${token(`v${i % 1000}`)}` } })));
await server.stop();

const baseline = results[0].per_second;
console.log(`\n${seconds} s per path, ${concurrency} concurrent clients, one SQLite file (WAL, synchronous=FULL)\n`);
console.log(`${"path".padEnd(52)} ${"req/s".padStart(8)} ${"vs base".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"failed".padStart(7)}`);
for (const r of results) {
  console.log(`${r.name.padEnd(52)} ${r.per_second.toFixed(0).padStart(8)} ${(r.per_second / baseline).toFixed(2).padStart(8)} ${r.p50_ms.toFixed(1).padStart(8)} ${r.p99_ms.toFixed(1).padStart(8)} ${String(r.failures).padStart(7)}`);
}
mkdirSync(join(root, "target/bench"), { recursive: true });
writeFileSync(join(root, "target/bench/load.json"), JSON.stringify({ seconds, concurrency, results }, null, 2));
if (results.some((r) => r.failures > 0)) process.exitCode = 1;
