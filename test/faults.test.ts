import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { migratePgliteDb, withClient } from "../scripts/stack/database";
import { type Embedded, freePort, startEmbedded } from "../scripts/stack/embedded";
import { NO_MISMATCHES } from "../scripts/stack/invariants";
import { checkInvariants, runMixedLoad } from "../scripts/stack/load";
import { driverFromEnv, type Stack, startStack } from "../scripts/stack/stack";
import { uniqueName } from "./helpers";

/**
 * Faults, each against a Worker of its own: the database down at start and coming back, a slow
 * (blocked) statement, the database restarted under load, the proxy and SQL endpoint restarted
 * under load. The answer is always a quick problem document, and no acknowledged write is lost.
 */
const DEADLINE_MS = 2_000;
const stacks: Stack[] = [];
const embeddeds: Embedded[] = [];
afterAll(async () => {
  for (const s of stacks) await s.stop().catch(() => {});
  for (const e of embeddeds) await e.close().catch(() => {});
});

async function timed(url: string, init?: RequestInit) {
  const t0 = Date.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, ms: Date.now() - t0, type: res.headers.get("content-type") ?? "", text };
}

const signup = (base: string, username: string) =>
  timed(`${base}/users`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password: "fault test password" }),
  });

/**
 * A user signed up on a stack of its own, by the name returned: its first requests meet the short
 * deadline on busy cores (a 504 in CI once, the counts storms beside it), which writes nothing, so it
 * tries again under a new name; what the cases test comes after.
 */
async function signedUp(base: string, prefix: string) {
  for (let attempt = 1; ; attempt++) {
    const username = uniqueName(prefix);
    const res = await signup(base, username);
    if (res.status === 201) return username;
    if (attempt === 5) expect(res.status, res.text).toBe(201);
  }
}

// Each case starts a stack of its own and waits out restarts: on a loaded two-core machine that
// takes longer than the suite's 30 s default.
describe("faults", { timeout: 90_000 }, () => {
  it("database unreachable at start: quick 503s, then recovery without a restart", async () => {
    // The database's address is held by a listener that drops every connection, so that nothing
    // else (another file's stand-in or database on a port the OS handed out again) can answer there.
    const port = await freePort();
    const down = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => down.listen(port, "127.0.0.1", resolve));
    const stack = await startStack({
      existingDatabaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      migrate: false,
      env: "test",
      vars: { DB_TIMEOUT_MS: String(DEADLINE_MS) },
    });
    stacks.push(stack);
    const health = await timed(`${stack.baseUrl}/health`);
    expect(health.status).toBe(503);
    expect(health.type).toMatch(/problem\+json/);
    expect(health.ms).toBeLessThan(DEADLINE_MS + 1_500);
    for (const res of [
      await timed(`${stack.baseUrl}/tweets`),
      await timed(`${stack.baseUrl}/users/1`),
      await signup(stack.baseUrl, "down_user"),
    ]) {
      expect([503, 504]).toContain(res.status);
      expect(res.type).toMatch(/problem\+json/);
      expect(res.ms).toBeLessThan(DEADLINE_MS + 1_500);
      expect(res.text).not.toMatch(/ECONNREFUSED|postgres:|select/i);
    }

    await new Promise<void>((resolve) => down.close(() => resolve()));
    const db = await startEmbedded({ port });
    embeddeds.push(db);
    await migratePgliteDb(db.db);
    await expect.poll(async () => (await timed(`${stack.baseUrl}/health`)).status, { timeout: 10_000 }).toBe(200);
    expect((await timed(`${stack.baseUrl}/tweets`)).status).toBe(200);
    await signedUp(stack.baseUrl, "back");
  });

  it("a blocked statement ends at the deadline with a problem, not a hang; the service recovers", async () => {
    const stack = await startStack({
      serverUrl: process.env.TEST_DATABASE_URL || undefined,
      env: "test",
      vars: { DB_TIMEOUT_MS: String(DEADLINE_MS) },
    });
    stacks.push(stack);
    await signedUp(stack.baseUrl, "lock");
    await withClient(stack.databaseUrl, async (client) => {
      // An exclusive lock held by another session: statements on tweets wait behind it.
      await client.query("BEGIN");
      await client.query("LOCK TABLE tweets IN ACCESS EXCLUSIVE MODE");
      try {
        const list = await timed(`${stack.baseUrl}/tweets`);
        expect([503, 504]).toContain(list.status);
        expect(list.type).toMatch(/problem\+json/);
        expect(list.ms).toBeLessThan(DEADLINE_MS + 1_500);
        const health = await timed(`${stack.baseUrl}/health`);
        expect(health.ms).toBeLessThan(3_000);
      } finally {
        await client.query("ROLLBACK");
      }
    });
    await expect.poll(async () => (await timed(`${stack.baseUrl}/tweets`)).status, { timeout: 10_000 }).toBe(200);
  });

  // PGlite runs one session at a time (the embedded server serves them in turn): a statement behind
  // another session's lock waits outside Postgres there, where no statement_timeout can reach it.
  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "a write still waiting at the deadline is cancelled by Postgres (statement_timeout), never committed after the client's answer",
    async () => {
      const stack = await startStack({
        serverUrl: process.env.TEST_DATABASE_URL,
        env: "test",
        vars: { DB_TIMEOUT_MS: String(DEADLINE_MS) },
      });
      stacks.push(stack);
      const username = await signedUp(stack.baseUrl, "slow");
      const login = await fetch(`${stack.baseUrl}/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "CF-Connecting-IP": "10.9.9.9" },
        body: JSON.stringify({ username, password: "fault test password" }),
      });
      const token = ((await login.json()) as { access_token: string }).access_token;
      const waiting = (c: { query(text: string): Promise<{ rows: { n: number }[] }> }) =>
        c
          .query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%insert into \"tweets\"%'",
          )
          .then((r) => r.rows[0]?.n);
      await withClient(stack.databaseUrl, async (client) => {
        await client.query("BEGIN");
        await client.query("LOCK TABLE tweets IN ACCESS EXCLUSIVE MODE");
        try {
          const post = await timed(`${stack.baseUrl}/tweets`, {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
            body: JSON.stringify({ content: "written after the answer?" }),
          });
          expect([503, 504]).toContain(post.status);
          expect(post.ms).toBeLessThan(DEADLINE_MS + 1_500);
          // Postgres, not only the Worker, gave up on it: no statement is left waiting for the lock.
          await expect.poll(() => waiting(client), { timeout: 2_000 }).toBe(0);
        } finally {
          await client.query("ROLLBACK");
        }
      });
      await new Promise((r) => setTimeout(r, 500));
      await withClient(stack.databaseUrl, async (client) => {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM tweets t JOIN users u ON u.id = t.user_id WHERE u.username = $1",
          [username],
        );
        expect(rows[0]?.n).toBe(0);
      });
    },
  );

  // PGlite has no connection limit. On the server, a role limited to 2 connections stands for a server
  // at max_connections (superusers are exempt from limits, hence the role); the WebSocket path and
  // local Hyperdrive open a connection per request, the SQL-over-HTTP stand-in pools a few.
  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "a burst beyond the database's connection limit: refusals (53300) are retried inside the request, never a 5xx",
    async () => {
      const owner = await startStack({ serverUrl: process.env.TEST_DATABASE_URL, env: "test" });
      stacks.push(owner);
      await withClient(owner.databaseUrl, async (c) => {
        await c.query(`DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'twitter_burst') THEN CREATE ROLE twitter_burst LOGIN; END IF;
        END $$`);
        await c.query("ALTER ROLE twitter_burst CONNECTION LIMIT 2");
        await c.query("GRANT ALL ON ALL TABLES IN SCHEMA public TO twitter_burst");
        await c.query("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO twitter_burst");
      });
      const limited = new URL(owner.databaseUrl);
      limited.username = "twitter_burst";
      const stack = await startStack({ existingDatabaseUrl: limited.toString(), migrate: false, env: "test" });
      stacks.push(stack);
      const burst = await Promise.all(Array.from({ length: 24 }, () => timed(`${stack.baseUrl}/tweets?limit=5`)));
      expect(
        burst.map((r) => r.status),
        burst.find((r) => r.status !== 200)?.text,
      ).toEqual(Array(24).fill(200));
    },
  );

  // Hyperdrive's path has no stand-in to restart (wrangler connects its binding straight to the
  // database), so there the second case would test nothing; the database restart covers it.
  const paths = driverFromEnv() === "hyperdrive" ? ["database"] : ["database", "proxy and SQL endpoint"];
  it.each(paths)("%s restarted under load: problems or successes, recovery, nothing half done", async (what) => {
    // The database restart is of the embedded one (stopping the shared server would disturb other tests);
    // on a server, every connection of the test database is terminated instead, as a restart does.
    const server = what === "database" ? process.env.TEST_DATABASE_URL || undefined : undefined;
    const stack = await startStack({ serverUrl: server, env: "bench", vars: { DB_TIMEOUT_MS: String(DEADLINE_MS) } });
    stacks.push(stack);
    let terminated = 0;
    const fault = (async () => {
      await new Promise((r) => setTimeout(r, 2_000));
      if (what !== "database") await stack.restartEndpoints(700);
      else if (stack.embedded) await stack.embedded.restart(700);
      else {
        // Kill every session of the test database, repeatedly for 700 ms, as a restart does.
        const name = new URL(stack.databaseUrl).pathname.slice(1);
        for (let i = 0; i < 7; i++) {
          terminated += await withClient(process.env.TEST_DATABASE_URL as string, async (c) => {
            const { rows } = await c.query(
              "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
              [name],
            );
            return rows[0].n as number;
          });
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    // 10 s: the fault ends at ~3 s, and on busy cores (the counts storms beside it) a 6 s load once had no
    // acknowledged tweet left to check.
    const load = await runMixedLoad({ baseUrl: stack.baseUrl, seconds: 10, connections: 8, usersPerConnection: 2 });
    await fault;
    // The fault was real: requests failed while the database or the endpoints were down (each with a problem
    // document, checked below); killed server sessions may instead be replaced transparently by the pool.
    const failed = (load.statuses[503] ?? 0) + (load.statuses[504] ?? 0);
    if (stack.kind === "server" && what === "database") expect(terminated).toBeGreaterThan(0);
    else expect(failed, JSON.stringify(load.statuses)).toBeGreaterThan(0);
    const unexpected = Object.keys(load.statuses)
      .map(Number)
      // 401: a token of an account that deleted itself meanwhile; 403: a write while a block stands
      // between the two users (the load blocks and unblocks).
      .filter((s) => ![200, 201, 204, 401, 403, 404, 503, 504].includes(s));
    expect(unexpected).toEqual([]);
    expect(load.malformed).toBe(0);
    expect(load.transportErrors).toBe(0);
    await expect.poll(async () => (await timed(`${stack.baseUrl}/health`)).status, { timeout: 10_000 }).toBe(200);
    expect((await timed(`${stack.baseUrl}/tweets`)).status).toBe(200);
    const invariants = await checkInvariants(stack.databaseUrl, load);
    expect(invariants).toMatchObject({
      counts: NO_MISMATCHES,
      orphanLikes: 0,
      orphanTweets: 0,
      orphanFollows: 0,
      lostTweets: 0,
      likeStateMismatches: 0,
      orphanNotifications: 0,
    });
    expect(load.tweets.size, JSON.stringify(load.statuses)).toBeGreaterThan(0);
  });
});
