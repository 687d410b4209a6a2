// Leaderboard benchmark, run by `cargo xtask bench`: a real server (bench profile) on a SQLite
// file seeded with 100,000 members and 1,000,000 ledger entries (`engage-server bench-seed`),
// driven over real HTTP by concurrent clients. It measures, in one run and with the same load
// generator, the leaderboard route (top 10 and the caller's own rank and neighbours, with a
// member token) against /healthz, and prints both throughputs and their ratio.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cli, mintToken, root, startServer } from "../e2e/harness.mjs";
import { measure as measureFor, printResults } from "./measure.mjs";

const seconds = Number(process.env.BENCH_SECONDS || 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY || 32);
const members = Number(process.env.BENCH_MEMBERS || 100000);
const entries = Number(process.env.BENCH_ENTRIES || 1000000);

let site;
let seeded;
const server = await startServer({
  extraArgs: ["--ip-requests-per-minute", "100000000", "--member-writes-per-minute", "100000000"],
  before: (db) => {
    site = cli(db, ["site", "add", "--id", "bench", "--origin", "http://localhost:1", "--json"]);
    seeded = cli(db, ["bench-seed", "--site", "bench", "--members", String(members), "--entries", String(entries)]);
  },
});
console.log(`seeded ${seeded.members} members and ${seeded.ledger_rows} ledger entries in ${seeded.seconds.toFixed(1)} s`);

const tokens = new Map();
const token = (member) => {
  if (!tokens.has(member)) tokens.set(member, mintToken({ secret: site.secret, site: "bench", member, name: member }));
  return tokens.get(member);
};

const measure = (name, request) => measureFor(name, request, { seconds, concurrency });

const api = `${server.origin}/api/v1/sites/bench`;
// Members spread over the whole ranking: a prime stride visits top, middle and tail alike.
const member = (i) => `m${(i * 7919) % members}`;
const board = (period) => (i) => fetch(`${api}/leaderboard?period=${period}&limit=10`, { headers: { authorization: `Bearer ${token(member(i))}` } });

// Warm up: mint tokens and touch the pages once.
for (let i = 0; i < 2000; i++) token(member(i));
await board("all")(0);

const results = [];
results.push(await measure("GET /healthz (baseline)", () => fetch(`${server.origin}/healthz`)));
results.push(await measure("GET leaderboard, all time (top 10 + my rank)", board("all")));
results.push(await measure("GET leaderboard, this week (top 10 + my rank)", board("week")));
results.push(await measure("GET leaderboard, anonymous all time (top 10)", () => fetch(`${api}/leaderboard?period=all&limit=10`)));
await server.stop();

console.log(`\n${seconds} s per path, ${concurrency} concurrent clients, ${members} members, ${entries} ledger entries\n`);
printResults(results, 48);
mkdirSync(join(root, "target/bench"), { recursive: true });
writeFileSync(join(root, "target/bench/leaderboard.json"), JSON.stringify({ seconds, concurrency, members, entries, seeded, results }, null, 2));
if (results.some((r) => r.failures > 0)) process.exitCode = 1;
