// An acknowledged check-in survives a crash: the server is killed with SIGKILL right after
// answering, and a new server on the same SQLite file still has the check-in and its points.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./harness.mjs";

async function demoToken(origin, member) {
  const response = await fetch(`${origin}/api/v1/demo/token`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ member }),
  });
  return (await response.json()).token;
}

async function checkin(origin, token, method) {
  const response = await fetch(`${origin}/api/v1/sites/demo/checkin`, {
    method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: method === "POST" ? "{}" : undefined,
  });
  assert.equal(response.status, 200);
  return response.json();
}

test("an acknowledged check-in survives the server being killed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "engage-crash-"));
  const db = join(dir, "engage.db");
  try {
    const first = await startServer({ db });
    const token = await demoToken(first.origin, "alice");
    const answered = await checkin(first.origin, token, "POST");
    assert.equal(answered.checked_in, true);
    assert.equal(answered.awarded, 10);
    await first.crash();

    const second = await startServer({ db });
    try {
      const after = await checkin(second.origin, await demoToken(second.origin, "alice"), "GET");
      assert.equal(after.checked_in, true);
      assert.equal(after.points, 10);
      assert.equal(after.streak, 1);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
