import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withClient } from "../scripts/stack/database";
import { type Stack, startStack } from "../scripts/stack/stack";

/**
 * One round trip to the database per request, on every driver path, counted where the traffic
 * passes (scripts/stack: the SQL-over-HTTP stand-in for http, the WebSocket proxy for ws, the TCP
 * distance in front of Postgres for hyperdrive): one statement per endpoint (on HTTP behind its SET LOCAL statement_timeout, in the same request), and account deletion
 * two statements in one transaction sent as one request. On the WebSocket path each request also
 * opens one connection (its setup round trips are counted apart). This file runs its own Worker so
 * that no other test's requests are counted.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ serverUrl: process.env.TEST_DATABASE_URL || undefined, env: "test" });
});
afterAll(() => stack?.stop());

/**
 * Waits until no fan-out is pending (both outboxes empty): a post or repost with followers is fanned
 * out by the queue consumer after its response, on connections of its own, which would otherwise be
 * counted against the next request.
 */
async function fanoutsSettled() {
  for (let i = 0; i < 200; i++) {
    const pending = await withClient(stack.databaseUrl, async (c) => {
      const { rows } = await c.query(
        "SELECT (SELECT count(*) FROM fanout_outbox) + (SELECT count(*) FROM repost_fanout_outbox) AS n",
      );
      return Number(rows[0].n);
    });
    if (pending === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("fan-outs still pending after 10 s");
}

async function call(method: string, path: string, init: { token?: string; body?: unknown } = {}) {
  await fanoutsSettled();
  const before = stack.counters();
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: {
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...(init.body ? { "Content-Type": "application/json" } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  // The WebSocket path closes its connection after the response (waitUntil): let it finish.
  await new Promise((r) => setTimeout(r, stack.driver === "http" ? 0 : 30));
  const after = stack.counters();
  return {
    status: res.status,
    json: text ? JSON.parse(text) : undefined,
    statements: after.statements - before.statements,
    connections: after.connections - before.connections,
    roundTrips: after.queryRoundTrips - before.queryRoundTrips,
  };
}

describe("one round trip per request", () => {
  it("holds for every endpoint, on success and on failure", async () => {
    const password = "long enough password";
    const stamp = Date.now() % 1e9;
    const a = await call("POST", "/users", { body: { username: `stmt_a_${stamp}`, password } });
    const b = await call("POST", "/users", { body: { username: `stmt_b_${stamp}`, password } });
    const login = await call("POST", "/auth/login", { body: { username: a.json.username, password } });
    const token = login.json.access_token as string;
    const other = (await call("POST", "/auth/login", { body: { username: b.json.username, password } })).json
      .access_token;
    const tweet = await call("POST", "/tweets", { token, body: { content: "counted #stmt" } });
    const id = a.json.id;
    const bid = b.json.id;
    const tid = tweet.json.id;

    // [method, path, init, status, statements of its transaction (follow, block: lock the pair, then write)]
    const cases: [string, string, { token?: string; body?: unknown }, number, number?][] = [
      ["GET", "/health", {}, 200],
      ["GET", "/users", {}, 200],
      ["GET", "/users?limit=1", { token }, 200],
      ["GET", `/users/${id}`, {}, 200],
      ["GET", "/users/2147483647", {}, 404],
      ["GET", `/users/by/username/${a.json.username.toUpperCase()}`, { token }, 200],
      ["GET", `/users/${id}/tweets`, { token }, 200],
      ["GET", "/users/2147483647/tweets", {}, 404],
      ["GET", "/tweets?limit=5", {}, 200],
      ["GET", "/tweets?limit=5", { token }, 200],
      ["GET", `/tweets/${tid}`, { token }, 200],
      ["GET", "/tweets/2147483647", {}, 404],
      ["POST", "/tweets", { token, body: { content: "one more" } }, 201],
      ["POST", "/tweets", { token: other, body: { content: "a reply", in_reply_to_tweet_id: tid } }, 201],
      ["POST", "/tweets", { token, body: { content: "to nothing", in_reply_to_tweet_id: 2147483647 } }, 404],
      ["POST", "/tweets", { token: other, body: { content: "not as a", user_id: id } }, 403],
      ["POST", `/users/${id}/likes`, { token, body: { tweet_id: tid } }, 201],
      ["POST", `/users/${id}/likes`, { token, body: { tweet_id: tid } }, 200],
      ["POST", `/users/${id}/likes`, { token, body: { tweet_id: 2147483647 } }, 404],
      ["GET", `/users/${id}/liked_tweets`, { token }, 200],
      ["GET", `/tweets/${tid}/liking_users`, {}, 200],
      ["DELETE", `/users/${id}/likes/${tid}`, { token }, 204],
      ["DELETE", `/users/${id}/likes/${tid}`, { token: other }, 403],
      // Before the follow below: a repost or tweet of an author with followers also fans out (its own statements).
      ["POST", `/users/${id}/reposts`, { token, body: { tweet_id: tid } }, 201],
      ["POST", `/users/${id}/reposts`, { token, body: { tweet_id: tid } }, 200],
      ["POST", `/users/${id}/reposts`, { token, body: { tweet_id: 2147483647 } }, 404],
      ["GET", `/tweets/${tid}/reposted_by`, { token }, 200],
      ["GET", `/users/${id}/timeline`, { token }, 200],
      ["DELETE", `/users/${id}/reposts/${tid}`, { token }, 204],
      ["DELETE", `/users/${id}/reposts/${tid}`, { token: other }, 403],
      ["POST", "/tweets", { token: other, body: { content: "a quote", quoted_tweet_id: tid } }, 201],
      ["POST", "/tweets", { token, body: { content: "both", quoted_tweet_id: tid, in_reply_to_tweet_id: tid } }, 201],
      ["POST", "/tweets", { token, body: { content: "of nothing", quoted_tweet_id: 2147483647 } }, 404],
      ["GET", `/tweets/${tid}/quotes`, { token }, 200],
      ["GET", "/tweets/2147483647/quotes", {}, 404],
      ["POST", `/users/${bid}/following`, { token: other, body: { target_user_id: id } }, 201, 2],
      ["POST", `/users/${bid}/following`, { token: other, body: { target_user_id: id } }, 200, 2],
      ["POST", `/users/${bid}/following`, { token: other, body: { target_user_id: 2147483647 } }, 404, 2],
      ["POST", `/users/${id}/following`, { token: other, body: { target_user_id: bid } }, 403, 2],
      ["GET", `/users/${id}/followers`, { token }, 200],
      ["GET", `/users/${bid}/following`, {}, 200],
      ["GET", `/users/${bid}/timeline`, { token: other }, 200],
      ["GET", `/users/${id}/timeline`, { token: other }, 403],
      ["GET", `/tweets/${tid}/replies`, {}, 200],
      ["GET", `/tweets/${tid}/context`, { token }, 200],
      ["GET", "/tweets/2147483647/context", {}, 404],
      ["GET", "/tweets/search?q=counted", {}, 200],
      ["GET", `/tweets/search?q=%23stmt%20from:${a.json.username}`, { token }, 200],
      ["GET", `/users/${id}/notifications`, { token }, 200],
      ["GET", `/users/${id}/notifications?types=like,follow&limit=5`, { token }, 200],
      ["GET", `/users/${id}/notifications`, { token: other }, 403],
      ["GET", `/users/${id}/notifications/unread_count`, { token }, 200],
      ["PUT", `/users/${id}/notifications/marker`, { token, body: { last_read_id: 1 } }, 200],
      ["GET", `/users/${id}/notifications/marker`, { token }, 200],
      ["GET", `/users/${id}/mentions`, {}, 200],
      ["POST", "/tweets", { token: other, body: { content: `hi @${a.json.username} @nobody_here` } }, 201],
      ["DELETE", `/users/${bid}/following/${id}`, { token: other }, 204],
      ["POST", `/users/${id}/bookmarks`, { token, body: { tweet_id: tid } }, 201],
      ["POST", `/users/${id}/bookmarks`, { token, body: { tweet_id: 2147483647 } }, 404],
      ["GET", `/users/${id}/bookmarks`, { token }, 200],
      ["GET", `/users/${id}/bookmarks`, { token: other }, 403],
      ["DELETE", `/users/${id}/bookmarks/${tid}`, { token }, 204],
      ["POST", `/users/${id}/muting`, { token, body: { target_user_id: bid } }, 201],
      ["GET", `/users/${id}/muting`, { token }, 200],
      ["DELETE", `/users/${id}/muting/${bid}`, { token }, 204],
      ["POST", `/users/${id}/blocking`, { token, body: { target_user_id: bid } }, 201, 2],
      ["POST", `/users/${id}/blocking`, { token, body: { target_user_id: 2147483647 } }, 404, 2],
      ["GET", `/users/${id}/blocking`, { token }, 200],
      ["POST", `/users/${bid}/following`, { token: other, body: { target_user_id: id } }, 403, 2],
      ["POST", `/users/${bid}/likes`, { token: other, body: { tweet_id: tid } }, 403],
      ["POST", "/tweets", { token: other, body: { content: "blocked", in_reply_to_tweet_id: tid } }, 403],
      ["DELETE", `/users/${id}/blocking/${bid}`, { token }, 204],
      ["PATCH", `/users/${id}`, { token, body: { username: `stmt_c_${stamp}` } }, 200],
      ["PUT", `/users/${id}`, { token: other, body: { username: `stmt_d_${stamp}` } }, 403],
      ["POST", "/auth/login", { body: { username: b.json.username, password: "wrong password" } }, 401],
      ["DELETE", `/tweets/${tid}`, { token: other }, 403],
      ["DELETE", `/tweets/${tid}`, { token }, 204],
    ];
    // On HTTP a write's statement travels in a batch behind `SET LOCAL statement_timeout` (Postgres'
    // own time limit, src/db/client.ts): two statements, one request. Reads send theirs alone.
    const timeLimit = stack.driver === "http" ? 1 : 0;
    // A transaction travels as one request too: Neon's batch on HTTP, one Query message on the TCP paths.
    for (const [method, path, init, status, transaction] of cases) {
      const res = await call(method, path, init);
      expect(res.status, `${method} ${path}`).toBe(status);
      const statements = transaction ? (stack.driver === "http" ? transaction + timeLimit : 1) : 1 + timeLimit;
      expect(res.statements, `statements of ${method} ${path}`).toBe(method === "GET" ? 1 : statements);
      expect(res.roundTrips, `round trips of ${method} ${path}`).toBe(1);
      if (stack.driver !== "http") expect(res.connections, `connections of ${method} ${path}`).toBe(1);
    }
    for (const r of [a, b, login, tweet]) expect(r.roundTrips).toBe(1);

    // Account deletion: lock, then delete and recount, as one transaction in one round trip
    // (HTTP: Neon's batch of two statements; TCP paths: one Query message holding both).
    const deletion = await call("DELETE", `/users/${bid}`, { token: other });
    expect(deletion.status).toBe(204);
    expect(deletion.roundTrips).toBe(1);
    expect(deletion.statements).toBe(stack.driver === "http" ? 2 + timeLimit : 1);

    // Requests that need no database, or fail validation before it, run none.
    for (const [method, path, init] of [
      ["GET", "/", {}],
      ["GET", "/openapi.json", {}],
      ["GET", "/users/abc", {}],
      ["GET", "/tweets?limit=0", {}],
      ["GET", "/tweets/search?q=%20", {}],
      ["POST", "/tweets", { token, body: { content: "" } }],
      ["POST", "/tweets", { body: { content: "no token" } }],
      ["POST", `/users/${id}/following`, { token, body: { target_user_id: id } }],
      ["POST", "/auth/login", { body: { username: "no spaces allowed", password } }],
    ] as const) {
      const res = await call(method, path, init);
      expect(res.statements, `${method} ${path}`).toBe(0);
      expect(res.roundTrips, `${method} ${path}`).toBe(0);
    }
    // Some fifty requests, each after the fan-outs before it (the queue delivers in batches of up
    // to a second): beyond the default 30 s when other test files load the machine (CI's hyperdrive leg).
  }, 120_000);
});
