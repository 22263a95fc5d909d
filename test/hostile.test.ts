import { MIMEType } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { api, baseUrl, expectProblem, newTweet, newUser, type Res, sql, type TestUser, uniqueName } from "./helpers";

/**
 * Hostile input, generated: whatever the body, query or path, the answer is never a 5xx, a 4xx
 * is always a problem document, and a rejected write writes nothing.
 */
const RUNS = Number(process.env.FAST_CHECK_RUNS ?? 40);

function expectSafe(res: Res, context: string) {
  expect(res.status, `${context}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("content-type"), context).toMatch(/^application\/problem\+json/);
    expect(res.json?.status, context).toBe(res.status);
  }
}

/** Bodies of every kind: JSON values, objects with the right keys and wrong values, non-JSON text. */
const bodies = fc.oneof(
  fc.json(),
  fc.string(),
  fc
    .string({ unit: "binary" })
    .map((content) => JSON.stringify({ content, tweet_id: -1, username: content, password: content })),
  fc
    .record(
      {
        content: fc.anything(),
        user_id: fc.anything(),
        tweet_id: fc.anything(),
        username: fc.anything(),
        password: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);

/** Whether a body would pass PATCH/PUT /users/{id} validation (username and/or password, each valid). */
function isValidAccountChange(body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return false;
  const { username, password } = parsed as { username?: unknown; password?: unknown };
  const okName = typeof username === "string" && /^[A-Za-z0-9_]{3,30}$/.test(username);
  const okPassword = typeof password === "string" && [...password].length >= 8 && [...password].length <= 128;
  if (username !== undefined && !okName) return false;
  if (password !== undefined && !okPassword) return false;
  return okName || okPassword;
}

const counts = async (userId: number) =>
  (
    await sql(
      `SELECT (SELECT count(*)::int FROM tweets WHERE user_id = $1) AS tweets,
              (SELECT count(*)::int FROM likes WHERE user_id = $1) AS likes,
              (SELECT username || password_hash FROM users WHERE id = $1) AS account`,
      [userId],
    )
  )[0];

describe("hostile input (property-based)", () => {
  it("write bodies: never 5xx, problems on rejection, nothing written", async () => {
    // Several users share the runs, so that none reaches the write rate limit before an undo.
    const users = await Promise.all(Array.from({ length: 4 }, () => newUser("fuzz")));
    const t = await newTweet(users[0] as TestUser);
    const baseline = new Map(await Promise.all(users.map(async (x) => [x.id, await counts(x.id)] as const)));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.constantFrom("POST /tweets", "POST likes", "PATCH user", "PUT user", "POST /auth/login"),
        async (body, target) => {
          // A generated body that is a valid account change would rightly change the account: not this property.
          fc.pre(!((target === "PATCH user" || target === "PUT user") && isValidAccountChange(body)));
          const u = users[run++ % users.length] as TestUser;
          const before = baseline.get(u.id);
          const [method, path] = {
            "POST /tweets": ["POST", "/tweets"],
            "POST likes": ["POST", `/users/${u.id}/likes`],
            "PATCH user": ["PATCH", `/users/${u.id}`],
            "PUT user": ["PUT", `/users/${u.id}`],
            "POST /auth/login": ["POST", "/auth/login"],
          }[target] as [string, string];
          const res = await api(path, { method, token: u.token, body });
          expectSafe(res, `${target} ${body}`);
          if (res.status >= 400) expect(await counts(u.id)).toEqual(before);
          else {
            // A generated body can be valid; undo what it did so later runs compare against the same state.
            if (target === "POST /tweets") await api(`/tweets/${res.json.id}`, { method: "DELETE", token: u.token });
            if (target === "POST likes" && res.json.id !== t.id)
              await api(`/users/${u.id}/likes/${res.json.id}`, { method: "DELETE", token: u.token });
            expect(
              target === "PATCH user" || target === "PUT user",
              "a valid account change from a generated body",
            ).toBe(false);
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it("sign-up bodies: never 5xx, and a rejected sign-up creates no user", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await api("/users", { method: "POST", body });
        expectSafe(res, body);
        if (res.status >= 400) {
          // Other tests sign up concurrently: check that no user with this body's name appeared.
          let name: unknown;
          try {
            name = JSON.parse(body)?.username;
          } catch {}
          // Only a name of the valid form can exist at all (and Postgres refuses NUL bytes in a query).
          if (typeof name === "string" && /^[A-Za-z0-9_]{3,30}$/.test(name))
            expect(
              await sql(
                "SELECT 1 FROM users WHERE lower(username) = lower($1) AND created_at > now() - interval '5 seconds'",
                [name],
              ),
            ).toHaveLength(res.status === 409 ? 1 : 0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("query parameters: any limit and cursor on every list", async () => {
    const u = await newUser("fuzzq");
    const t = await newTweet(u);
    const lists = [
      "/users",
      "/tweets",
      `/users/${u.id}/tweets`,
      `/users/${u.id}/liked_tweets`,
      `/tweets/${t.id}/liking_users`,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...lists),
        fc.option(fc.string()),
        fc.option(fc.oneof(fc.string(), fc.base64String())),
        async (list, limit, cursor) => {
          const q = new URLSearchParams();
          if (limit !== null) q.set("limit", limit);
          if (cursor !== null) q.set("cursor", cursor);
          const res = await api(`${list}?${q}`);
          expectSafe(res, `${list}?${q}`);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it("path ids: anything in place of an id", async () => {
    const u = await newUser("fuzzp");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1 }),
          fc.integer().map(String),
          fc.double().map(String),
          fc.bigInt().map(String),
        ),
        fc.constantFrom(
          "GET /users/:",
          "GET /tweets/:",
          "GET /users/:/tweets",
          "GET /tweets/:/liking_users",
          "DELETE /tweets/:",
          "DELETE /users/me/likes/:",
          "PATCH /users/:",
        ),
        async (raw, template) => {
          const [method, pattern] = template.split(" ") as [string, string];
          const path = pattern.replace("me", String(u.id)).replace(":", encodeURIComponent(raw));
          const res = await api(path, {
            method,
            token: u.token,
            body: method === "PATCH" ? { username: "zz" } : undefined,
          });
          expectSafe(res, `${method} ${path}`);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    expect((await api(`/users/${u.id}`)).status).toBe(200);
  });

  it("header abuse: huge or repeated Authorization, odd Content-Types, chunked bodies over the limit", async () => {
    const u = await newUser("hdr");
    for (const auth of [
      `Bearer ${"a".repeat(10_000)}`,
      `Bearer ${u.token}, Bearer ${u.token}`,
      "Bearer",
      "bearer  x.y.z",
      "\u0007",
    ]) {
      const res = await fetch(`${baseUrl}/tweets`, {
        method: "POST",
        headers: { Authorization: auth, "Content-Type": "application/json" },
        body: '{"content":"x"}',
      }).catch(() => undefined);
      if (res) {
        expect(res.status, auth.slice(0, 30)).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      }
    }
    const repeated = new Headers();
    repeated.append("Authorization", `Bearer ${u.token}`);
    repeated.append("Authorization", `Bearer ${u.token}`);
    repeated.set("Content-Type", "application/json");
    expect(
      (await fetch(`${baseUrl}/tweets`, { method: "POST", headers: repeated, body: '{"content":"x"}' })).status,
    ).toBe(401);

    // What counts as JSON, decided independently of the app: the WHATWG MIME type parser (Node's
    // util.MIMEType). JSON sent under any spelling of application/json is taken (201), the rest 415.
    const isJson = (type: string) => {
      try {
        return new MIMEType(type).essence === "application/json";
      } catch {
        return false;
      }
    };
    const post = (type: string) =>
      fetch(`${baseUrl}/tweets`, {
        method: "POST",
        headers: { Authorization: `Bearer ${u.token}`, "Content-Type": type },
        body: '{"content":"typed"}',
      }).catch(() => undefined);
    for (const type of [
      "application/json",
      "APPLICATION/JSON",
      "application/json;",
      "application/json ;charset=utf-8",
      "application/json; charset",
      "application/json; charset=utf-8; foo=bar",
      " application/json ",
    ]) {
      expect(isJson(type), type).toBe(true);
      expect((await post(type))?.status, type).toBe(201);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc
            .constantFrom("application/json", "application/jsonx", "text/json", "application/ld+json")
            .chain((base) =>
              fc
                .tuple(fc.constantFrom("", " ", ";", " ; ", ";;"), fc.string({ maxLength: 12 }))
                .map(([sep, rest]) => `${base}${sep}${rest}`),
            ),
        ),
        async (type) => {
          const res = await post(type);
          if (!res) return; // a header value fetch itself refuses to send
          expect(res.status).toBeLessThan(500);
          expect(res.status, JSON.stringify(type)).toBe(isJson(type) ? 201 : 415);
        },
      ),
      // one user's writes: stay under its write limit (100/min in [env.test])
      { numRuns: Math.min(RUNS, 70) },
    );
    await api(`/users/${u.id}/tweets?limit=100`).then((r) => {
      for (const tw of r.json) expect(tw.content).toBe("typed");
    });

    for (const size of [17 * 1024, 2 * 1024 * 1024]) {
      const payload = new TextEncoder().encode(`{"content":"${"x".repeat(size)}"}`);
      const body = new ReadableStream({
        start(controller) {
          for (let i = 0; i < payload.length; i += 65_536) controller.enqueue(payload.subarray(i, i + 65_536));
          controller.close();
        },
      });
      const res = await fetch(`${baseUrl}/tweets`, {
        method: "POST",
        headers: { Authorization: `Bearer ${u.token}`, "Content-Type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit);
      expect(res.status).toBe(413);
      // The Worker keeps serving (an oversized upload must not restart it).
      expect((await api("/tweets?limit=1")).status).toBe(200);
    }
    const written = await sql("SELECT count(*)::int AS n FROM tweets WHERE user_id = $1 AND content <> 'typed'", [
      u.id,
    ]);
    expect(written[0].n).toBe(0);
  });
});

/** What the outside probe found in bodies, paths and content (issue 22), each fixed at its cause. */
describe("hostile input the probe sent", () => {
  const post = (u: TestUser, body: Uint8Array | string) =>
    fetch(`${baseUrl}/tweets`, {
      method: "POST",
      headers: { Authorization: `Bearer ${u.token}`, "Content-Type": "application/json" },
      body,
    }).then(async (r) => ({ status: r.status, type: r.headers.get("content-type"), text: await r.text() }));

  it("a body that is not valid UTF-8 is 400 and stores nothing (never U+FFFD)", async () => {
    const u = await newUser("utf8");
    for (const bytes of [
      [0xe9, 0xff, 0xfe], // Latin-1 and stray bytes
      [0xc0, 0xaf], // an overlong "/"
      [0xed, 0xa0, 0x80], // an encoded surrogate
    ]) {
      const body = Buffer.concat([Buffer.from('{"content": "bad '), Buffer.from(bytes), Buffer.from(' bytes"}')]);
      const res = await post(u, new Uint8Array(body));
      expect(res.status, res.text).toBe(400);
      expect(res.type).toMatch(/^application\/problem\+json/);
    }
    const [row] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM tweets WHERE user_id = $1", [u.id]);
    expect(row?.n).toBe(0);
    // Valid UTF-8 of the same characters is a tweet.
    expect((await post(u, new Uint8Array(Buffer.from('{"content": "é\u00ff bytes"}')))).status).toBe(201);
  });

  it("content needs a visible character and no control character but LF and TAB; a bidi override is text", async () => {
    const u = await newUser("invisible");
    for (const content of [
      "\u200b",
      "\u200d",
      "\u3164",
      "\u2800",
      "\u00ad",
      "\u0301",
      "\u0001\u0002",
      "\u001b[2J hi",
    ]) {
      const res = await api("/tweets", { method: "POST", token: u.token, body: { content } });
      expect(expectProblem(res, 400).errors?.[0]?.path, JSON.stringify(content)).toBe("content");
    }
    const [row] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM tweets WHERE user_id = $1", [u.id]);
    expect(row?.n).toBe(0);
    const bidi = await api("/tweets", { method: "POST", token: u.token, body: { content: "abc\u202edef\tg\nh" } });
    expect(bidi.status).toBe(201);
    expect(bidi.json.content).toBe("abc\u202edef\tg\nh");
  });

  it("numbers in paths and queries are plain decimal: a sign or a leading zero is 400", async () => {
    const u = await newUser("zeros");
    const renamed = await api(`/users/0${u.id}`, {
      method: "PATCH",
      token: u.token,
      body: { username: uniqueName("z") },
    });
    expectProblem(renamed, 400);
    expect((await api(`/users/${u.id}`)).json.username).toBe(u.username);
    for (const path of [`/users/0${u.id}`, `/users/+${u.id}`, `/tweets/00001`, `/users/${u.id}/tweets?limit=0100`])
      expectProblem(await api(path), 400);
    for (const limit of ["0100", "00001", "+5", "05", "0", "1e2", "5.0"])
      expectProblem(await api(`/tweets?limit=${encodeURIComponent(limit)}`), 400);
    expect((await api("/tweets?limit=100")).status).toBe(200);
    expect((await api(`/users/${u.id}`)).status).toBe(200);
  });
});
