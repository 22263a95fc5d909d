import { randomBytes } from "node:crypto";
import { expect, inject } from "vitest";
import { withClient } from "../scripts/stack/database";
import { countMismatches as countsOf, notificationsWithoutAction, type Scope } from "../scripts/stack/invariants";

export { NO_MISMATCHES } from "../scripts/stack/invariants";

export { inject };

export const baseUrl = inject("baseUrl");

/**
 * CI runs this suite once per database and driver (.ci/run: six legs). What no driver changes (a
 * query plan, a migration) runs on one driver of each database, HTTP; what neither the database nor
 * the driver changes (configuration, the local runtime, rate limits) runs in one leg, the embedded
 * database with HTTP: the leg a plain `npm test` is, so locally everything runs.
 */
const onHttp = (process.env.TEST_DB_DRIVER ?? "http") === "http";
export const LEGS = { perDatabase: onHttp, once: onHttp && !process.env.TEST_DATABASE_URL };
export const PASSWORD = "correct horse battery staple";

/** A request to the running Worker. `body` objects are sent as JSON. */
export async function api(
  path: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  // Logins come from an address of their own unless a test picks one (see someAddress).
  if (path.endsWith("/auth/login")) headers["CF-Connecting-IP"] ??= someAddress();
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["Content-Type"] ??= "application/json";
  }
  const res = await fetch(path.startsWith("http") ? path : `${baseUrl}${path}`, {
    method: init.method ?? "GET",
    headers,
    body,
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export type Res = Awaited<ReturnType<typeof api>>;

/** Asserts an RFC 9457 problem document with this status. */
export function expectProblem(res: Res, status: number, detail?: RegExp) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.json).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  if (detail) expect(res.json.detail).toMatch(detail);
  expect(res.text).not.toMatch(/SELECT|INSERT|UPDATE|DELETE FROM|stack|at .*\.ts/i);
  return res.json as { errors?: { path: string; message: string }[] };
}

/** A cursor of `list` (the list's path) at this position (`[time,] id`): the API's format, for pages at a chosen place. */
export const cursorOf = (list: string, ...position: (string | number)[]) =>
  Buffer.from(JSON.stringify([list, ...position])).toString("base64url");

export const uniqueName = (prefix = "u") => `${prefix}_${randomBytes(6).toString("hex")}`.slice(0, 30);

export type TestUser = { id: number; username: string; password: string; token: string };

/**
 * A client address of its own (Cloudflare sets CF-Connecting-IP; locally the header passes
 * through): each test user logs in from its own address, as people do, so that the per-address
 * login limit only meets the tests that aim at it.
 */
export const someAddress = () => `10.${randomBytes(3).join(".")}`;

/** Signs up a fresh user and logs in. */
export async function newUser(prefix = "u"): Promise<TestUser> {
  const username = uniqueName(prefix);
  const created = await api("/users", { method: "POST", body: { username, password: PASSWORD } });
  expect(created.status, created.text).toBe(201);
  const login = await api("/auth/login", { method: "POST", body: { username, password: PASSWORD } });
  expect(login.status, login.text).toBe(200);
  return { id: created.json.id, username, password: PASSWORD, token: login.json.access_token };
}

export async function newTweet(user: TestUser, content = `tweet ${randomBytes(4).toString("hex")}`) {
  const res = await api("/tweets", { method: "POST", token: user.token, body: { content } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: number; content: string; like_count: number; created_at: string };
}

export async function like(user: TestUser, tweetId: number) {
  return api(`/users/${user.id}/likes`, { method: "POST", token: user.token, body: { tweet_id: tweetId } });
}

/** Follows `Link: <…>; rel="next"` until the last page; returns every item in order and the page count. */
export async function walk<T = any>(path: string, token?: string) {
  const items: T[] = [];
  let url: string | undefined = `${baseUrl}${path}`;
  let pages = 0;
  while (url) {
    const res = await api(url, { token });
    expect(res.status, res.text).toBe(200);
    expect(Array.isArray(res.json)).toBe(true);
    items.push(...res.json);
    pages++;
    url = nextLink(res);
    if (pages > 1000) throw new Error("too many pages");
  }
  return { items, pages };
}

export function nextLink(res: Res): string | undefined {
  const link = res.headers.get("link");
  return link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
}

/** A direct SQL query on the test database (for checks the API does not expose). */
export async function sql<R = any>(text: string, params: unknown[] = []): Promise<R[]> {
  return withClient(inject("databaseUrl"), async (client) => (await client.query(text, params)).rows as R[]);
}

export async function follow(user: TestUser, target: { id: number }) {
  return api(`/users/${user.id}/following`, { method: "POST", token: user.token, body: { target_user_id: target.id } });
}

export async function reply(user: TestUser, parentId: number, content = `reply ${randomBytes(4).toString("hex")}`) {
  const res = await api("/tweets", {
    method: "POST",
    token: user.token,
    body: { content, in_reply_to_tweet_id: parentId },
  });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: number; in_reply_to_tweet_id: number; conversation_id: number; created_at: string };
}

/** Polls `check` until it returns a value (not undefined) or `ms` pass; returns the value and how long it took. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 5_000, every = 100) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * The counts' invariant on the test database, on the users and tweets a test touched (other test
 * files write their fixtures meanwhile): how many rows each count is wrong on (all 0 when it holds).
 */
export async function countMismatches(scope: Scope) {
  return withClient(inject("databaseUrl"), (client) => countsOf(client, scope));
}

/** Notifications of the scope's users that outlive the action they report (0 when the invariant holds). */
export async function orphanNotifications(scope: Scope) {
  return withClient(inject("databaseUrl"), (client) => notificationsWithoutAction(client, scope));
}
