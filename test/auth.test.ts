import { pbkdf2Sync, randomBytes } from "node:crypto";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import {
  api,
  cursorOf,
  expectProblem,
  inject,
  newTweet,
  newUser,
  PASSWORD,
  someAddress,
  sql,
  uniqueName,
} from "./helpers";

const secret = inject("jwtSecret");
const now = () => Math.floor(Date.now() / 1000);

describe("POST /auth/login", () => {
  it("returns a bearer token and the user; login is case-insensitive", async () => {
    const u = await newUser("Login");
    const res = await api("/auth/login", {
      method: "POST",
      body: { username: u.username.toUpperCase(), password: PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "Bearer",
      expires_in: 3600,
      // Login's user has the counts but neither `following` nor `followed_by` (login carries no token).
      user: {
        id: u.id,
        username: u.username,
        created_at: expect.any(String),
        followers_count: 0,
        following_count: 0,
        tweet_count: 0,
      },
    });
    const [header, payload] = res.json.access_token
      .split(".")
      .slice(0, 2)
      .map((p: string) => JSON.parse(Buffer.from(p, "base64url").toString()));
    expect(header.alg).toBe("HS256");
    expect(payload).toMatchObject({ sub: String(u.id), exp: expect.any(Number) });
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it("401 with one message for a wrong password and an unknown username", async () => {
    const u = await newUser("wrong");
    const wrong = expectProblem(
      await api("/auth/login", { method: "POST", body: { username: u.username, password: "not the password" } }),
      401,
    );
    const unknown = expectProblem(
      await api("/auth/login", { method: "POST", body: { username: uniqueName("nobody"), password: PASSWORD } }),
      401,
    );
    expect(wrong).toEqual(unknown);
  });

  it("compares passwords after NFC; a lone surrogate is 400; a hash stored from a non-NFC password still logs in", async () => {
    const login = (username: string, password: string) =>
      api("/auth/login", { method: "POST", body: { username, password } });
    // Lone surrogates are not passwords: neither at sign-up nor at login (they used to become U+FFFD alike).
    expectProblem(
      await api("/users", { method: "POST", body: { username: uniqueName("sur"), password: "password\ud800" } }),
      400,
    );
    const u = await newUser("nfc");
    for (const password of [`${PASSWORD}\udfff`, `${PASSWORD}\ud83d`])
      expectProblem(await login(u.username, password), 400);
    expectProblem(await login(u.username, `${PASSWORD}\ufffd`), 401);
    // Signed up in NFD, logs in in NFC and in NFD.
    const nfd = "cafe\u0301 au lait";
    const username = uniqueName("nfd");
    expect((await api("/users", { method: "POST", body: { username, password: nfd } })).status).toBe(201);
    expect((await login(username, nfd.normalize("NFC"))).status).toBe(200);
    expect((await login(username, nfd)).status).toBe(200);
    // A hash stored before the rule, of the NFD form as sent: it logs in, and is replaced by one of NFC.
    const legacy = await newUser("legacy");
    const salt = randomBytes(16);
    const hash = pbkdf2Sync(nfd, salt, 100_000, 32, "sha256");
    const stored = `pbkdf2_sha256$100000$${salt.toString("base64")}$${hash.toString("base64")}`;
    await sql("UPDATE users SET password_hash = $1 WHERE id = $2", [stored, legacy.id]);
    expect((await login(legacy.username, nfd)).status).toBe(200);
    const [row] = await sql<{ password_hash: string }>("SELECT password_hash FROM users WHERE id = $1", [legacy.id]);
    expect(row?.password_hash).not.toBe(stored);
    expect((await login(legacy.username, nfd.normalize("NFC"))).status).toBe(200);
  });

  it("400 for an invalid body, 415 for a non-JSON one", async () => {
    expectProblem(await api("/auth/login", { method: "POST", body: {} }), 400);
    expectProblem(await api("/auth/login", { method: "POST", body: { username: "someone" } }), 400);
    expectProblem(await api("/auth/login", { method: "POST", body: { username: 1, password: 2 } }), 400);
    expectProblem(
      await api("/auth/login", {
        method: "POST",
        body: "username=a&password=b",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
      415,
    );
  });

  it("rate-limits login attempts per client address and username (any case): 429 with Retry-After", async () => {
    const u = await newUser("limited");
    const from = { "CF-Connecting-IP": someAddress() };
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api("/auth/login", {
          method: "POST",
          headers: from,
          // The same username in other cases is the same username: one budget.
          body: { username: i % 2 ? u.username.toUpperCase() : u.username.toLowerCase(), password: "bad password!" },
        }),
      ),
    );
    const limited = attempts.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(attempts.filter((r) => r.status === 401).length).toBeGreaterThan(0);
    expectProblem(limited[0] as (typeof attempts)[number], 429);
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another username from the same address is not affected.
    const other = await newUser("unlimited");
    expect(
      (
        await api("/auth/login", {
          method: "POST",
          headers: from,
          body: { username: other.username, password: PASSWORD },
        })
      ).status,
    ).toBe(200);
  });
});

describe("bearer tokens", () => {
  const write = (token: string | undefined, headers: Record<string, string> = {}) =>
    api("/tweets", { method: "POST", token, body: { content: "auth matrix" }, headers });

  it("401 with WWW-Authenticate: Bearer when missing, malformed, badly signed, expired or of another algorithm", async () => {
    const u = await newUser("matrix");
    const payload = { sub: String(u.id), ver: 0, iat: now(), exp: now() + 600 };
    const cases: [string, Record<string, string>][] = [
      ["missing", {}],
      ["not bearer", { Authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
      ["empty bearer", { Authorization: "Bearer " }],
      ["garbage", { Authorization: "Bearer not-a-token" }],
      [
        "wrong signature",
        { Authorization: `Bearer ${await sign(payload, "another secret of sufficient length!!", "HS256")}` },
      ],
      [
        "expired",
        {
          Authorization: `Bearer ${await sign({ ...payload, iat: now() - 7200, exp: now() - 3600 }, secret, "HS256")}`,
        },
      ],
      ["HS512", { Authorization: `Bearer ${await sign(payload, secret, "HS512")}` }],
      [
        // With a signature part, so that it passes the header's shape and is refused by verification.
        "alg none",
        {
          Authorization: `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${Buffer.from("forged").toString("base64url")}`,
        },
      ],
      ["no sub", { Authorization: `Bearer ${await sign({ ver: 0, exp: now() + 600 }, secret, "HS256")}` }],
      ["huge", { Authorization: `Bearer ${"a".repeat(5000)}.b.c` }],
    ];
    const verified = ["wrong signature", "expired", "HS512", "alg none", "no sub"];
    for (const [name, headers] of cases) {
      const res = await write(undefined, headers);
      expectProblem(res, 401);
      expect(res.headers.get("www-authenticate"), name).toMatch(/^Bearer/);
      // These reach signature verification (and fail there), not just the header's shape.
      if (verified.includes(name)) expect(res.json.detail, name).toBe("The access token is invalid or expired.");
    }
    // The same token, correctly signed, works: the cases above fail for their own reason.
    expect((await write(await sign(payload, secret, "HS256"))).status).toBe(201);
  });

  it("a token for a deleted user is revoked, also on reads", async () => {
    const u = await newUser("revoked");
    const t = await newTweet(u);
    expect((await api(`/tweets/${t.id}`, { token: u.token })).json.liked).toBe(false);
    expect((await api(`/users/${u.id}`, { method: "DELETE", token: u.token })).status).toBe(204);
    expectProblem(await api("/tweets", { token: u.token }), 401);
    expectProblem(await write(u.token), 401);
  });

  it("liked appears on every tweet only when a valid token is sent", async () => {
    const u = await newUser("liker");
    const t = await newTweet(u);
    expect(
      (await api(`/users/${u.id}/likes`, { method: "POST", token: u.token, body: { tweet_id: t.id } })).status,
    ).toBe(201);
    const anonymous = await api(`/tweets/${t.id}`);
    expect(anonymous.json).not.toHaveProperty("liked");
    const mine = await api(`/tweets/${t.id}`, { token: u.token });
    expect(mine.json.liked).toBe(true);
    const other = await newUser("other");
    expect((await api(`/tweets/${t.id}`, { token: other.token })).json.liked).toBe(false);
    // A cursor just above the tweet: its page starts with it, whatever other tests post meanwhile.
    const from = `cursor=${cursorOf("/tweets", t.created_at, t.id + 1)}`;
    for (const path of [`/tweets?${from}&`, `/users/${u.id}/tweets?`, `/users/${u.id}/liked_tweets?`]) {
      const list = await api(`${path}limit=100`, { token: u.token });
      expect(list.status).toBe(200);
      for (const tweet of list.json) expect(typeof tweet.liked, path).toBe("boolean");
      expect(list.json.find((x: { id: number }) => x.id === t.id)?.liked, path).toBe(true);
      const anon = await api(`${path}limit=100`);
      for (const tweet of anon.json) expect(tweet, path).not.toHaveProperty("liked");
    }
  });
});
