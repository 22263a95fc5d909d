import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, endpoints, featurePairs } from "../scripts/bench/endpoints";
import { bigCounts, ensureFixtures, SCALES, timelineCursor } from "../scripts/bench/fixtures";
import type { Endpoint } from "../scripts/bench/runner";
import { withClient } from "../scripts/stack/database";
import { type Stack, startStack } from "../scripts/stack/stack";
import { seed } from "../seeds/seed";

/**
 * The bench's fixtures at its smallest scale (BENCH_SCALE=small), so that a scale the bench offers
 * cannot stop running again: its users, tweets and follows seeded as the bench seeds them, with
 * fewer likes (the fixtures do not depend on them; they take the longest), the fixtures built through the
 * API on a Worker of the bench's environment, and every scenario sent once.
 */
const counts = { ...bigCounts(SCALES.small), likes: 10_000 };
async function send(stack: Stack, e: Endpoint) {
  const path = typeof e.path === "function" ? e.path() : e.path;
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method: e.method,
    headers: { "content-type": "application/json", ...(e.token ? { authorization: `Bearer ${e.token}` } : {}) },
    body: e.body ? JSON.stringify(e.body()) : undefined,
  });
  await res.arrayBuffer();
  return res.status;
}

// A minute or two of seeding and fixtures: once per CI run, on the server leg of the bench's default driver.
const once = !!process.env.TEST_DATABASE_URL && (process.env.TEST_DB_DRIVER ?? "http") === "http";

describe.skipIf(!once)("the bench at its smallest scale", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      serverUrl: process.env.TEST_DATABASE_URL || undefined,
      env: "bench",
      vars: { FANOUT_MAX_FOLLOWERS: "10000" },
    });
    await withClient(stack.databaseUrl, (c) => seed(c, counts, () => {}, 10_000));
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("builds its fixtures from the seeded data and runs every scenario", async () => {
    const f = await ensureFixtures(stack, stack.databaseUrl, counts);
    // Capped by the number of users: user 2 followed by every other user, at most half of them followed.
    expect(f.followers10k).toBe(counts.users);
    expect([f.following.few, f.following.some]).toEqual([10, 500]);
    expect(f.following.many).toBeGreaterThanOrEqual(counts.follows / 200); // the demo user's, and a few more
    const deep = {
      t10: await timelineCursor(stack, f.following10, 300),
      t500: await timelineCursor(stack, f.following500, 300),
      t5000: await timelineCursor(stack, f.following5000, 300),
    };
    // The feature ratios' scenarios timed on their own (those of the endpoint table are sent below).
    const pairs = featurePairs(f);
    const names = new Set(endpoints(f, deep).map((e) => e.name));
    for (const p of pairs.filter((x) => x.source === "rows"))
      expect([names.has(p.a.name), names.has(p.b.name)]).toEqual([true, true]);
    // (The `fanout` pairs are the bench's own fan-out timing, scripts/bench.ts, not requests of their own.)
    const scenarios = [...endpoints(f, deep), ...pairs.filter((x) => !x.source).flatMap((x) => [x.a, x.b])];
    expect(scenarios.map((e) => e.name)).toContain(`GET /users/{id}/timeline (following ${count(f.following.many)})`);
    const failed: string[] = [];
    for (const e of scenarios) {
      const status = await send(stack, e);
      if (status >= 400 && !(e.method === "POST" && status === 409))
        failed.push(`${e.name} ${typeof e.path === "string" ? e.path : ""}: ${status}`);
    }
    expect(failed).toEqual([]);
    // The notifying pairs differ by the notification alone: A's like and follow wrote one each, B's none.
    const notices = await withClient(stack.databaseUrl, async (c) =>
      (
        await c.query("SELECT type::text AS type FROM notifications WHERE actor_id = $1 ORDER BY 1", [
          f.features.notifying.actor.id,
        ])
      ).rows.map((r) => r.type),
    );
    expect(notices).toEqual(["follow", "like"]);
  }, 300_000);
});
