import { describe, expect, it } from "vitest";
import { api, cursorOf, expectProblem, like, newTweet, newUser, nextLink, sql, walk } from "./helpers";

describe("POST /tweets", () => {
  it("creates a tweet: 201, Location, the Tweet object with liked and reposted", async () => {
    const u = await newUser("poster");
    const res = await api("/tweets", { method: "POST", token: u.token, body: { content: "Hello world", extra: 1 } });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(Number),
      content: "Hello world",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      user_id: u.id,
      username: u.username,
      like_count: 0,
      in_reply_to_tweet_id: null,
      conversation_id: res.json.id,
      reply_count: 0,
      repost_count: 0,
      quote_count: 0,
      quoted_tweet_id: null,
      quoted_tweet: null,
      liked: false,
      bookmarked: false,
      reposted: false,
    });
    expect(res.headers.get("location")).toBe(`/tweets/${res.json.id}`);
    expect((await api(`/tweets/${res.json.id}`)).json).toMatchObject({ id: res.json.id, content: "Hello world" });
  });

  it("stores content NFC-normalised, otherwise as sent, and counts code points", async () => {
    const u = await newUser("nfc");
    const decomposed = "Cafe\u0301  with  spaces ";
    const res = await api("/tweets", { method: "POST", token: u.token, body: { content: decomposed } });
    expect(res.status).toBe(201);
    expect(res.json.content).toBe(decomposed.normalize("NFC"));
    // 280 code points: emoji are two UTF-16 units but one code point each.
    const emoji = "😀".repeat(280);
    expect((await api("/tweets", { method: "POST", token: u.token, body: { content: emoji } })).status).toBe(201);
    // 281 code points after NFC, even though 282 before: e + combining accent composes.
    const composed = `${"a".repeat(279)}e\u0301`;
    expect((await api("/tweets", { method: "POST", token: u.token, body: { content: composed } })).status).toBe(201);
    const tooLong = expectProblem(
      await api("/tweets", { method: "POST", token: u.token, body: { content: "😀".repeat(281) } }),
      400,
    );
    expect(tooLong.errors?.[0]?.path).toBe("content");
  });

  it.each([
    [{ content: "" }],
    [{ content: "   \n\t " }],
    [{ content: 42 }],
    [{}],
    [{ content: "ok", user_id: "1" }],
    [{ content: "ok", user_id: 0 }],
    [{ content: "a\u0000b" }],
    [{ content: "lone \ud800 surrogate" }],
  ])("400 for %j and nothing is written", async (body) => {
    const u = await newUser("bad");
    expectProblem(await api("/tweets", { method: "POST", token: u.token, body }), 400);
    expect(await sql("SELECT 1 FROM tweets WHERE user_id = $1", [u.id])).toHaveLength(0);
  });

  it("401 without a token; 403 when user_id is someone else; user_id may be the caller", async () => {
    const u = await newUser("author");
    const other = await newUser("victim");
    expectProblem(await api("/tweets", { method: "POST", body: { content: "anonymous" } }), 401);
    expectProblem(
      await api("/tweets", { method: "POST", token: u.token, body: { content: "as someone else", user_id: other.id } }),
      403,
    );
    expect(await sql("SELECT 1 FROM tweets WHERE user_id = $1", [other.id])).toHaveLength(0);
    expect(
      (await api("/tweets", { method: "POST", token: u.token, body: { content: "as myself", user_id: u.id } })).status,
    ).toBe(201);
  });

  it("415 and 413 for the wrong type or size of body", async () => {
    const u = await newUser("size");
    expectProblem(
      await api("/tweets", {
        method: "POST",
        token: u.token,
        body: '{"content":"x"}',
        headers: { "Content-Type": "text/plain" },
      }),
      415,
    );
    expectProblem(
      await api("/tweets", { method: "POST", token: u.token, body: { content: "x", pad: "p".repeat(16 * 1024) } }),
      413,
    );
  });
});

describe("Idempotency-Key", () => {
  it("a retry with the same key returns the first tweet (same id, 201)", async () => {
    const u = await newUser("idem");
    const headers = { "Idempotency-Key": "retry-key-1" };
    const first = await api("/tweets", { method: "POST", token: u.token, body: { content: "once" }, headers });
    const second = await api("/tweets", { method: "POST", token: u.token, body: { content: "once" }, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json.id).toBe(first.json.id);
    expect(second.headers.get("location")).toBe(`/tweets/${first.json.id}`);
    const other = await api("/tweets", {
      method: "POST",
      token: u.token,
      body: { content: "once" },
      headers: { "Idempotency-Key": "retry-key-2" },
    });
    expect(other.json.id).not.toBe(first.json.id);
    // Keys are per user: another user's same key makes their own tweet.
    const v = await newUser("idem2");
    const theirs = await api("/tweets", { method: "POST", token: v.token, body: { content: "once" }, headers });
    expect(theirs.status).toBe(201);
    expect(theirs.json.user_id).toBe(v.id);
  });

  it("the same key with another body is 422 and creates nothing, also when it replies to a missing tweet", async () => {
    const u = await newUser("idemreuse");
    const headers = { "Idempotency-Key": "reused" };
    const post = (body: object) => api("/tweets", { method: "POST", token: u.token, body, headers });
    const first = await post({ content: "first post" });
    expect(first.status).toBe(201);
    expectProblem(await post({ content: "second post" }), 422);
    expectProblem(await post({ content: "first post", in_reply_to_tweet_id: first.json.id }), 422);
    expectProblem(await post({ content: "first post", in_reply_to_tweet_id: 2_000_000_000 }), 422);
    // A retry spelled otherwise (other key order, user_id given) is a retry.
    const retry = await post({ user_id: u.id, content: "first post" });
    expect(retry.status).toBe(201);
    expect(retry.json.id).toBe(first.json.id);
    const rows = await sql("SELECT content FROM tweets WHERE user_id = $1", [u.id]);
    expect(rows).toEqual([{ content: "first post" }]);
    expect((await api(`/users/${u.id}`)).json.tweet_count).toBe(1);
  });

  it("parallel retries with one key create exactly one tweet", async () => {
    const u = await newUser("idemrace");
    const results = await Promise.all(
      Array.from({ length: 15 }, () =>
        api("/tweets", {
          method: "POST",
          token: u.token,
          body: { content: "racing" },
          headers: { "Idempotency-Key": "race" },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(15).fill(201));
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(await sql("SELECT id FROM tweets WHERE user_id = $1", [u.id])).toHaveLength(1);
  });

  it.each(["", "x".repeat(65), "tab\there", "ünï"])("400 for the key %j", async (key) => {
    const u = await newUser("idembad");
    expectProblem(
      await api("/tweets", {
        method: "POST",
        token: u.token,
        body: { content: "k" },
        headers: { "Idempotency-Key": key },
      }),
      400,
    );
  });
});

describe("GET /tweets and /tweets/{id}", () => {
  it("lists newest first (created_at, then id) with pages, and never repeats or skips while rows are inserted", async () => {
    const u = await newUser("pager");
    const mine: number[] = [];
    for (let i = 0; i < 6; i++) mine.push((await newTweet(u, `page test ${i}`)).id);
    const seen: { id: number; created_at: string }[] = [];
    let url: string | undefined = "/tweets?limit=3";
    // Walk until well past this test's tweets (other files post concurrently, newer ones come first).
    let extraPages = 3;
    while (url && extraPages > 0) {
      const res = await api(url);
      expect(res.status).toBe(200);
      seen.push(...res.json);
      // Insert while paging: new rows appear before the cursor, never in the rest of the walk.
      await newTweet(u, "inserted while paging");
      url = nextLink(res);
      if (mine.every((id) => seen.some((t) => t.id === id))) extraPages--;
    }
    const ids = seen.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < seen.length; i++) {
      const a = seen[i - 1] as { id: number; created_at: string };
      const b = seen[i] as { id: number; created_at: string };
      expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id)).toBe(true);
    }
    const positions = mine.map((id) => ids.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });

  it("GET /tweets/{id}: 404 when missing, 400 for bad ids", async () => {
    expectProblem(await api("/tweets/2147483647"), 404);
    for (const id of ["0", "x", "-5", "2147483648"]) {
      expectProblem(await api(`/tweets/${id}`), 400);
      expectProblem(await api(`/tweets/${id}/liking_users`), 400);
    }
  });

  it("400 for a cursor of another list's shape", async () => {
    const usersCursor = cursorOf("/users", 5);
    expectProblem(await api(`/tweets?cursor=${usersCursor}`), 400);
    const tweetsCursor = cursorOf("/tweets", "2026-01-01T00:00:00.000Z", 5);
    expectProblem(await api(`/users?cursor=${tweetsCursor}`), 400);
    expect((await api(`/tweets?cursor=${tweetsCursor}`)).status).toBe(200);
  });
});

describe("DELETE /tweets/{id}", () => {
  it("deletes the author's tweet and its likes", async () => {
    const u = await newUser("deleter");
    const fan = await newUser("fan");
    const t = await newTweet(u);
    expect((await like(fan, t.id)).status).toBe(201);
    const res = await api(`/tweets/${t.id}`, { method: "DELETE", token: u.token });
    expect(res.status).toBe(204);
    expectProblem(await api(`/tweets/${t.id}`), 404);
    expect(await sql("SELECT 1 FROM likes WHERE tweet_id = $1", [t.id])).toHaveLength(0);
    expect((await walk(`/users/${fan.id}/liked_tweets`)).items).toEqual([]);
  });

  it("401 without a token, 403 for another author's tweet, 404 when missing", async () => {
    const u = await newUser("owner");
    const other = await newUser("intruder");
    const t = await newTweet(u);
    expectProblem(await api(`/tweets/${t.id}`, { method: "DELETE" }), 401);
    expectProblem(await api(`/tweets/${t.id}`, { method: "DELETE", token: other.token }), 403);
    expectProblem(await api("/tweets/2147483647", { method: "DELETE", token: other.token }), 404);
    expect((await api(`/tweets/${t.id}`)).status).toBe(200);
  });
});
