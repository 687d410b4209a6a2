// What the benchmarks share: driving one request shape from concurrent loops for a while, and
// printing the results against the first one (the /healthz baseline of the same run).

/** Runs `request(i)` from `concurrency` loops for `seconds`; returns throughput and latency. */
export async function measure(name, request, { seconds, concurrency }) {
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

/** Prints one row per result, each throughput also as a ratio of the first (the baseline). */
export function printResults(results, width = 52) {
  const baseline = results[0].per_second;
  console.log(`${"path".padEnd(width)} ${"req/s".padStart(8)} ${"vs base".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"failed".padStart(7)}`);
  for (const r of results) {
    console.log(`${r.name.padEnd(width)} ${r.per_second.toFixed(0).padStart(8)} ${(r.per_second / baseline).toFixed(2).padStart(8)} ${r.p50_ms.toFixed(1).padStart(8)} ${r.p99_ms.toFixed(1).padStart(8)} ${String(r.failures).padStart(7)}`);
  }
}
