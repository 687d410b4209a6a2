// Load benchmark of the server's hot paths, run by `cargo xtask bench`: a real server (built
// with the bench profile) on a fresh SQLite file, driven over real HTTP by concurrent clients.
// Absolute numbers drift on shared machines; compare each path with the /healthz baseline
// measured in the same run.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cli, mintToken, root, startServer } from "../e2e/harness.mjs";
import { measure as measureFor, printResults } from "./measure.mjs";

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

const measure = (name, request) => measureFor(name, request, { seconds, concurrency });

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

console.log(`\n${seconds} s per path, ${concurrency} concurrent clients, one SQLite file (WAL, synchronous=FULL)\n`);
printResults(results, 52);
mkdirSync(join(root, "target/bench"), { recursive: true });
writeFileSync(join(root, "target/bench/load.json"), JSON.stringify({ seconds, concurrency, results }, null, 2));
if (results.some((r) => r.failures > 0)) process.exitCode = 1;
