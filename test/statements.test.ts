import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../scripts/lib/stack";

/**
 * Every endpoint runs exactly one SQL statement and, on the WebSocket path, opens one connection.
 * Counted where the statements pass: by the proxy (Query/Execute messages) for the WebSocket
 * driver, by the SQL-over-HTTP endpoint for the HTTP driver. This file runs its own Worker so
 * that no other test's requests are counted.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ serverUrl: process.env.TEST_DATABASE_URL || undefined, env: "test" });
});
afterAll(() => stack?.stop());

function counters() {
  return stack.driver === "ws"
    ? { statements: stack.proxy.stats.statements, connections: stack.proxy.stats.connections }
    : { statements: stack.sqlHttp.stats.statements, connections: 0 };
}

async function call(method: string, path: string, init: { token?: string; body?: unknown } = {}) {
  const before = counters();
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: {
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...(init.body ? { "Content-Type": "application/json" } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  const after = counters();
  return {
    status: res.status,
    json: text ? JSON.parse(text) : undefined,
    statements: after.statements - before.statements,
    connections: after.connections - before.connections,
  };
}

describe("one SQL statement per request", () => {
  it("holds for every endpoint, on success and on failure", async () => {
    const password = "long enough password";
    const a = await call("POST", "/users", { body: { username: `stmt_a_${Date.now()}`, password } });
    const b = await call("POST", "/users", { body: { username: `stmt_b_${Date.now()}`, password } });
    const login = await call("POST", "/auth/login", { body: { username: a.json.username, password } });
    const token = login.json.access_token as string;
    const other = (await call("POST", "/auth/login", { body: { username: b.json.username, password } })).json
      .access_token;
    const tweet = await call("POST", "/tweets", { token, body: { content: "counted" } });
    const id = a.json.id;
    const tid = tweet.json.id;

    const oneStatement: [string, string, { token?: string; body?: unknown }, number][] = [
      ["GET", "/health", {}, 200],
      ["GET", "/users", {}, 200],
      ["GET", "/users?limit=1", { token }, 200],
      ["GET", `/users/${id}`, {}, 200],
      ["GET", "/users/2147483647", {}, 404],
      ["GET", `/users/${id}/tweets`, { token }, 200],
      ["GET", "/users/2147483647/tweets", {}, 404],
      ["GET", "/tweets?limit=5", {}, 200],
      ["GET", "/tweets?limit=5", { token }, 200],
      ["GET", `/tweets/${tid}`, { token }, 200],
      ["GET", "/tweets/2147483647", {}, 404],
      ["POST", "/tweets", { token, body: { content: "one more" } }, 201],
      ["POST", "/tweets", { token: other, body: { content: "not as a", user_id: id } }, 403],
      ["POST", `/users/${id}/likes`, { token, body: { tweet_id: tid } }, 201],
      ["POST", `/users/${id}/likes`, { token, body: { tweet_id: tid } }, 200],
      ["POST", `/users/${id}/likes`, { token, body: { tweet_id: 2147483647 } }, 404],
      ["GET", `/users/${id}/liked_tweets`, { token }, 200],
      ["GET", `/tweets/${tid}/liking_users`, {}, 200],
      ["DELETE", `/users/${id}/likes/${tid}`, { token }, 204],
      ["DELETE", `/users/${id}/likes/${tid}`, { token: other }, 403],
      ["PATCH", `/users/${id}`, { token, body: { username: `stmt_c_${Date.now()}` } }, 200],
      ["PUT", `/users/${id}`, { token: other, body: { username: `stmt_d_${Date.now()}` } }, 403],
      ["POST", "/auth/login", { body: { username: b.json.username, password: "wrong password" } }, 401],
      ["DELETE", `/tweets/${tid}`, { token: other }, 403],
      ["DELETE", `/tweets/${tid}`, { token }, 204],
      ["DELETE", `/users/${b.json.id}`, { token: other }, 204],
    ];
    for (const [method, path, init, status] of oneStatement) {
      const res = await call(method, path, init);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.statements, `statements of ${method} ${path}`).toBe(1);
      if (stack.driver === "ws") expect(res.connections, `connections of ${method} ${path}`).toBe(1);
    }
    for (const r of [a, b, login, tweet]) expect(r.statements).toBe(1);

    // Requests that need no database, or fail validation before it, run none.
    for (const [method, path, init] of [
      ["GET", "/", {}],
      ["GET", "/openapi.json", {}],
      ["GET", "/users/abc", {}],
      ["GET", "/tweets?limit=0", {}],
      ["POST", "/tweets", { token, body: { content: "" } }],
      ["POST", "/tweets", { body: { content: "no token" } }],
    ] as const) {
      const res = await call(method, path, init);
      expect(res.statements, `${method} ${path}`).toBe(0);
    }
  });
});
