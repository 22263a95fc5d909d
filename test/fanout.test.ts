import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../scripts/stack/stack";

/**
 * The fan-out queue in workerd (wrangler's local Queues): delivery, a failed delivery retried by
 * the queue without losing the entry, and the scheduled outbox sweep re-sending a fan-out whose
 * message never arrived. A Worker and a database of its own: its failure injection (a trigger on
 * the test database) touches no other test.
 */
let stack: Stack;
let db: pg.Client;
beforeAll(async () => {
  stack = await startStack({
    serverUrl: process.env.TEST_DATABASE_URL || undefined,
    env: "test",
  });
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function user(name: string) {
  const username = `${name}_${Math.random().toString(36).slice(2, 10)}`;
  const password = "fan-out test password";
  const created = await call("POST", "/users", undefined, { username, password });
  const login = await call("POST", "/auth/login", undefined, { username, password });
  return { id: created.json.id as number, token: login.json.access_token as string };
}

const inTimeline = async (userId: number, tweetId: number) =>
  (await db.query("SELECT 1 FROM home_timeline WHERE user_id = $1 AND tweet_id = $2", [userId, tweetId])).rowCount ===
  1;

async function until(check: () => Promise<boolean>, ms: number) {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${ms} ms`);
}

describe("the fan-out queue", () => {
  it("retries a failed delivery: the entry arrives once the database takes it", async () => {
    const reader = await user("retry_reader");
    const author = await user("retry_author");
    expect(
      (await call("POST", `/users/${reader.id}/following`, reader.token, { target_user_id: author.id })).status,
    ).toBe(201);

    // Failure injection from outside the product: a trigger on the test database that makes every
    // delivery of this author's tweets fail, counting attempts in a sequence (which no rollback undoes).
    await db.query("CREATE SEQUENCE IF NOT EXISTS injected_failures");
    await db.query(`CREATE OR REPLACE FUNCTION fail_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.author_id = ${author.id} THEN PERFORM nextval('injected_failures'); RAISE EXCEPTION 'injected failure'; END IF;
        RETURN NEW;
      END $$`);
    await db.query(
      "CREATE TRIGGER fail_delivery BEFORE INSERT ON home_timeline FOR EACH ROW EXECUTE FUNCTION fail_delivery()",
    );
    const attempts = async () =>
      Number(
        (await db.query("SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM injected_failures")).rows[0].n,
      );
    try {
      const tweet = await call("POST", "/tweets", author.token, { content: "delivered after a failure" });
      expect(tweet.status).toBe(201);
      await until(async () => (await attempts()) >= 2, 15_000); // delivered, failed, redelivered, failed
      expect(await inTimeline(reader.id, tweet.json.id)).toBe(false);
      expect((await db.query("SELECT 1 FROM fanout_outbox WHERE tweet_id = $1", [tweet.json.id])).rowCount).toBe(1);
      await db.query("DROP TRIGGER fail_delivery ON home_timeline");
      // The queue redelivers (backoff 2^attempt s): the entry arrives, and the outbox row goes.
      await until(() => inTimeline(reader.id, tweet.json.id), 20_000);
      await until(
        async () => (await db.query("SELECT 1 FROM fanout_outbox WHERE tweet_id = $1", [tweet.json.id])).rowCount === 0,
        5_000,
      );
    } finally {
      await db.query("DROP TRIGGER IF EXISTS fail_delivery ON home_timeline");
    }
  }, 60_000);

  it("the scheduled sweep re-sends a fan-out whose message was lost", async () => {
    const reader = await user("sweep_reader");
    const author = await user("sweep_author");
    await call("POST", `/users/${reader.id}/following`, reader.token, { target_user_id: author.id });
    // A tweet and its outbox row as POST /tweets writes them, but no message sent, a minute ago.
    const { rows } = await db.query(
      `WITH t AS (INSERT INTO tweets (user_id, content) VALUES ($1, 'lost message') RETURNING id),
            c AS (UPDATE users SET tweet_count = tweet_count + 1 WHERE id = $1),
            o AS (INSERT INTO fanout_outbox (tweet_id, created_at) SELECT id, now() - interval '1 minute' FROM t)
       SELECT id FROM t`,
      [author.id],
    );
    const tweetId = rows[0].id as number;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await inTimeline(reader.id, tweetId)).toBe(false);
    await stack.runScheduled();
    await until(() => inTimeline(reader.id, tweetId), 10_000);
  });
});
