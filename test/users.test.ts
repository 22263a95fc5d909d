import { describe, expect, it } from "vitest";
import { api, cursorOf, expectProblem, like, newTweet, newUser, PASSWORD, sql, uniqueName, walk } from "./helpers";

describe("POST /users (sign up)", () => {
  it("creates a user: 201, Location, no password or hash in the body", async () => {
    const username = uniqueName("Signup");
    const res = await api("/users", { method: "POST", body: { username, password: PASSWORD, extra: "ignored" } });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(Number),
      username,
      created_at: expect.any(String),
      followers_count: 0,
      following_count: 0,
      tweet_count: 0,
    });
    expect(res.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(res.headers.get("location")).toBe(`/users/${res.json.id}`);
    expect(res.text).not.toMatch(/password|hash|pbkdf2/i);
    const [row] = await sql("SELECT password_hash FROM users WHERE id = $1", [res.json.id]);
    expect(row.password_hash).toMatch(/^pbkdf2_sha256\$100000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it("409 when the username is taken, case-insensitively", async () => {
    const username = uniqueName("Taken");
    expect((await api("/users", { method: "POST", body: { username, password: PASSWORD } })).status).toBe(201);
    expectProblem(
      await api("/users", { method: "POST", body: { username: username.toUpperCase(), password: PASSWORD } }),
      409,
    );
  });

  it.each([
    [{ username: "ab", password: PASSWORD }, "username"],
    [{ username: "a".repeat(31), password: PASSWORD }, "username"],
    [{ username: "has space", password: PASSWORD }, "username"],
    [{ username: "dash-name", password: PASSWORD }, "username"],
    [{ username: "ünïcode", password: PASSWORD }, "username"],
    [{ username: 12345, password: PASSWORD }, "username"],
    [{ password: PASSWORD }, "username"],
    [{ username: "valid_name", password: "short" }, "password"],
    [{ username: "valid_name", password: "x".repeat(129) }, "password"],
    [{ username: "valid_name" }, "password"],
    [{ username: "valid_name", password: 12345678 }, "password"],
  ])("400 with field errors for %j", async (body, field) => {
    const problem = expectProblem(await api("/users", { method: "POST", body }), 400);
    expect(problem.errors?.map((e) => e.path)).toContain(field);
  });

  it("accepts the limits exactly: 3 and 30 character usernames, 8 and 128 character passwords", async () => {
    const short = `a${Math.random().toString(36).slice(2, 4)}`;
    const r1 = await api("/users", { method: "POST", body: { username: short, password: "p".repeat(8) } });
    expect([201, 409]).toContain(r1.status); // 3 characters: a rare collision with another run is fine
    const long = uniqueName("L").padEnd(30, "x");
    expect((await api("/users", { method: "POST", body: { username: long, password: "p".repeat(128) } })).status).toBe(
      201,
    );
  });

  it("rejects bodies that are not JSON objects sent as application/json", async () => {
    const body = JSON.stringify({ username: uniqueName(), password: PASSWORD });
    expectProblem(await api("/users", { method: "POST", body, headers: { "Content-Type": "text/plain" } }), 415);
    expectProblem(
      await api("/users", { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
      415,
    );
    expectProblem(await api("/users", { method: "POST" }), 415);
    expectProblem(await api("/users", { method: "POST", body: "{not json" }), 400);
    expectProblem(await api("/users", { method: "POST", body: "" }), 400);
    expectProblem(await api("/users", { method: "POST", body: "[1, 2]" }), 400);
    expectProblem(await api("/users", { method: "POST", body: "null" }), 400);
    expectProblem(await api("/users", { method: "POST", body: '"text"' }), 400);
    const big = JSON.stringify({ username: uniqueName(), password: PASSWORD, padding: "x".repeat(17 * 1024) });
    expectProblem(await api("/users", { method: "POST", body: big }), 413);
  });

  it("413 also for a chunked body over 16 KiB, and nothing is written", async () => {
    const username = uniqueName("chunked");
    const payload = new TextEncoder().encode(JSON.stringify({ username, password: PASSWORD, pad: "y".repeat(20_000) }));
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < payload.length; i += 4096) controller.enqueue(payload.subarray(i, i + 4096));
        controller.close();
      },
    });
    const res = await fetch(`${(await import("./helpers")).baseUrl}/users`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await sql("SELECT id FROM users WHERE username = $1", [username])).toHaveLength(0);
  });

  it("parallel sign-ups for one username give exactly one 201", async () => {
    const username = uniqueName("race");
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api("/users", {
          method: "POST",
          body: { username: i % 2 ? username : username.toUpperCase(), password: PASSWORD },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, results.map((r) => r.text).join("\n")).toEqual([201, ...Array(11).fill(409)]);
    expect(await sql("SELECT id FROM users WHERE lower(username) = lower($1)", [username])).toHaveLength(1);
  });
});

describe("GET /users and /users/{id}", () => {
  it("lists users id ascending, paged by Link headers until the last page", async () => {
    const mine = [await newUser("list"), await newUser("list"), await newUser("list")];
    const first = await api("/users?limit=2");
    expect(first.status).toBe(200);
    expect(first.json).toHaveLength(2);
    const { items, pages } = await walk<{ id: number }>("/users?limit=50");
    // Every page but the last is full: the walk took exactly as many pages as the users need.
    expect(pages).toBe(Math.max(1, Math.ceil(items.length / 50)));
    const ids = items.map((u) => u.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    for (const u of mine) expect(ids).toContain(u.id);
  });

  it("keeps other query parameters in the next link, and the last page has none", async () => {
    await newUser("link");
    const res = await api("/users?limit=1&foo=bar");
    const link = res.headers.get("link") ?? "";
    expect(link).toMatch(/^<http:\/\/[^>]+\/users\?[^>]*cursor=[^>]+>; rel="next"$/);
    expect(link).toContain("limit=1");
    expect(link).toContain("foo=bar");
    // Past the largest possible id: an empty last page (other tests keep adding users meanwhile).
    const tail = await api(`/users?limit=5&cursor=${cursorOf("/users", 2147483647)}`);
    expect(tail.json).toEqual([]);
    expect(tail.headers.get("link")).toBeNull();
  });

  it.each(["0", "-1", "101", "abc", "1.5", "", "1e2"])("400 for limit=%s", async (limit) => {
    const problem = expectProblem(await api(`/users?limit=${limit}`), 400);
    expect(problem.errors?.[0]?.path).toBe("limit");
  });

  it("accepts limit=1 and limit=100", async () => {
    expect((await api("/users?limit=1")).json).toHaveLength(1);
    expect((await api("/users?limit=100")).status).toBe(200);
  });

  it.each(["garbage!", "bm90IGpzb24", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwLjAwMFoiLDFd", "W10", "WzAuNV0"])(
    "400 for a bad cursor %s",
    async (cursor) => {
      expectProblem(await api(`/users?cursor=${cursor}`), 400);
    },
  );

  it("GET /users/{id} returns the user, 404 when missing", async () => {
    const u = await newUser("get");
    const res = await api(`/users/${u.id}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: u.id,
      username: u.username,
      created_at: expect.any(String),
      followers_count: 0,
      following_count: 0,
      tweet_count: 0,
    });
    // With a token, every user also says whether the caller follows them and they the caller.
    const other = await newUser("viewer");
    expect((await api(`/users/${u.id}`, { token: other.token })).json).toMatchObject({
      following: false,
      followed_by: false,
    });
    expect((await api(`/users/${other.id}`, { token: other.token })).json).toMatchObject({
      following: false,
      followed_by: false,
    });
    expectProblem(await api("/users/2147483647"), 404);
  });

  it.each(["0", "-1", "abc", "1.5", "2147483648", "99999999999", "1e3", "%20"])("400 for path id %s", async (id) => {
    expectProblem(await api(`/users/${id}`), 400);
    expectProblem(await api(`/users/${id}/tweets`), 400);
    expectProblem(await api(`/users/${id}/liked_tweets`), 400);
  });
});

describe("GET /users/{id}/tweets", () => {
  it("lists the user's tweets newest first with pages", async () => {
    const u = await newUser("ut");
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await newTweet(u, `tweet number ${i}`));
    const { items, pages } = await walk(`/users/${u.id}/tweets?limit=2`);
    expect(pages).toBe(3);
    expect(items.map((t) => t.id)).toEqual(created.map((t) => t.id).reverse());
    for (const t of items) expect(t).toMatchObject({ user_id: u.id, username: u.username, like_count: 0 });
  });

  it("404 when the user does not exist; empty list when they have no tweets", async () => {
    expectProblem(await api("/users/2147483646/tweets"), 404);
    const u = await newUser("empty");
    const res = await api(`/users/${u.id}/tweets`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([]);
    expect(res.headers.get("link")).toBeNull();
  });
});

describe("PATCH / PUT /users/{id}", () => {
  it("changes the username (PATCH) and the password (PUT); a new password revokes earlier tokens", async () => {
    const u = await newUser("patch");
    const renamed = uniqueName("renamed");
    const res = await api(`/users/${u.id}`, { method: "PATCH", token: u.token, body: { username: renamed } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: u.id, username: renamed });
    // The old token survives a rename ...
    const newPassword = "a brand new password";
    const put = await api(`/users/${u.id}`, { method: "PUT", token: u.token, body: { password: newPassword } });
    expect(put.status).toBe(200);
    // ... but not a password change.
    expectProblem(await api("/tweets", { method: "POST", token: u.token, body: { content: "after" } }), 401);
    expectProblem(await api("/tweets", { token: u.token }), 401);
    expectProblem(await api("/auth/login", { method: "POST", body: { username: renamed, password: PASSWORD } }), 401);
    const login = await api("/auth/login", { method: "POST", body: { username: renamed, password: newPassword } });
    expect(login.status).toBe(200);
    expect(
      (await api("/tweets", { method: "POST", token: login.json.access_token, body: { content: "hi" } })).status,
    ).toBe(201);
  });

  it("400 for an empty or invalid body, 401 without a token, 403 for someone else, 404 when missing, 409 when taken", async () => {
    const u = await newUser("pfail");
    const other = await newUser("pother");
    const problem = expectProblem(await api(`/users/${u.id}`, { method: "PATCH", token: u.token, body: {} }), 400);
    expect(problem.errors?.length).toBeGreaterThan(0);
    expectProblem(await api(`/users/${u.id}`, { method: "PATCH", token: u.token, body: { username: "x" } }), 400);
    expectProblem(await api(`/users/${u.id}`, { method: "PATCH", body: { username: uniqueName() } }), 401);
    expectProblem(
      await api(`/users/${other.id}`, { method: "PATCH", token: u.token, body: { username: uniqueName() } }),
      403,
    );
    expectProblem(
      await api("/users/2147483645", { method: "PUT", token: u.token, body: { username: uniqueName() } }),
      404,
    );
    expectProblem(
      await api(`/users/${u.id}`, {
        method: "PATCH",
        token: u.token,
        body: { username: other.username.toUpperCase() },
      }),
      409,
    );
    const [row] = await sql("SELECT username FROM users WHERE id = $1", [other.id]);
    expect(row.username).toBe(other.username);
    expectProblem(await api(`/users/${u.id}`, { method: "PATCH", token: u.token, body: "[]" }), 400);
  });
});

describe("DELETE /users/{id}", () => {
  it("deletes the user, their tweets and likes, and drops the like counts of tweets they liked", async () => {
    const gone = await newUser("gone");
    const author = await newUser("author");
    const theirTweet = await newTweet(author);
    const ownTweet = await newTweet(gone);
    expect((await like(gone, theirTweet.id)).status).toBe(201);
    expect((await like(author, ownTweet.id)).status).toBe(201);
    expect((await api(`/tweets/${theirTweet.id}`)).json.like_count).toBe(1);

    const res = await api(`/users/${gone.id}`, { method: "DELETE", token: gone.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectProblem(await api(`/users/${gone.id}`), 404);
    expectProblem(await api(`/tweets/${ownTweet.id}`), 404);
    expect((await api(`/tweets/${theirTweet.id}`)).json.like_count).toBe(0);
    expect(await sql("SELECT 1 FROM likes WHERE user_id = $1 OR tweet_id = $2", [gone.id, ownTweet.id])).toHaveLength(
      0,
    );
    // Its token is revoked with it.
    expectProblem(await api("/tweets", { method: "POST", token: gone.token, body: { content: "ghost" } }), 401);
    expectProblem(await api(`/users/${gone.id}`, { method: "DELETE", token: gone.token }), 401);
  });

  it("401 without a token, 403 for someone else, 404 when missing", async () => {
    const u = await newUser("dfail");
    const other = await newUser("dother");
    expectProblem(await api(`/users/${u.id}`, { method: "DELETE" }), 401);
    expectProblem(await api(`/users/${other.id}`, { method: "DELETE", token: u.token }), 403);
    expectProblem(await api("/users/2147483644", { method: "DELETE", token: u.token }), 404);
    expect((await api(`/users/${other.id}`)).status).toBe(200);
  });
});
