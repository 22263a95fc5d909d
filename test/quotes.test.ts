import { describe, expect, it } from "vitest";
import { api, cursorOf, expectProblem, like, newTweet, newUser, sql, type TestUser, walk } from "./helpers";

const quote = (u: TestUser, quotedId: number, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  api("/tweets", {
    method: "POST",
    token: u.token,
    body: { content: `quoting ${quotedId}`, quoted_tweet_id: quotedId, ...extra },
    headers,
  });

describe("POST /tweets with quoted_tweet_id", () => {
  it("201: the quote carries quoted_tweet_id and quoted_tweet (one level deep), and quote_count counts it", async () => {
    const u = await newUser("qt");
    const author = await newUser("qtau");
    const t = await newTweet(author, "quote me");
    expect((await like(u, t.id)).status).toBe(201);
    const res = await quote(u, t.id);
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ user_id: u.id, quoted_tweet_id: t.id, quote_count: 0, repost_count: 0 });
    expect(res.json.quoted_tweet).toEqual({
      id: t.id,
      content: "quote me",
      created_at: t.created_at,
      user_id: author.id,
      username: author.username,
      like_count: 1,
      in_reply_to_tweet_id: null,
      conversation_id: t.id,
      reply_count: 0,
      repost_count: 0,
      quote_count: 1,
      quoted_tweet_id: null,
      liked: true,
      reposted: false,
      bookmarked: false,
    });
    // One level deep: a quote of the quote embeds the quote without its own quoted_tweet.
    const outer = await quote(author, res.json.id);
    expect(outer.status).toBe(201);
    expect(outer.json.quoted_tweet).toMatchObject({ id: res.json.id, quoted_tweet_id: t.id });
    expect(outer.json.quoted_tweet).not.toHaveProperty("quoted_tweet");
    // Read back: the same, and without a token no caller flags anywhere.
    const read = await api(`/tweets/${res.json.id}`);
    expect(read.json).toMatchObject({ quoted_tweet_id: t.id, quoted_tweet: { id: t.id, quote_count: 1 } });
    expect(read.json).not.toHaveProperty("liked");
    expect(read.json.quoted_tweet).not.toHaveProperty("liked");
    expect(read.json.quoted_tweet).not.toHaveProperty("reposted");
    expect((await api(`/tweets/${t.id}`)).json).toMatchObject({ quote_count: 1, quoted_tweet: null });
  });

  it("a tweet can be a reply and a quote (also of the same tweet), and one's own tweet can be quoted", async () => {
    const u = await newUser("qr");
    const t = await newTweet(u, "mine");
    const res = await quote(u, t.id, { in_reply_to_tweet_id: t.id });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ in_reply_to_tweet_id: t.id, conversation_id: t.id, quoted_tweet_id: t.id });
    expect((await api(`/tweets/${t.id}`)).json).toMatchObject({ reply_count: 1, quote_count: 1 });
    expect((await api(`/tweets/${res.json.id}`, { method: "DELETE", token: u.token })).status).toBe(204);
    expect((await api(`/tweets/${t.id}`)).json).toMatchObject({ reply_count: 0, quote_count: 0 });
  });

  it("400 for a bad quoted_tweet_id, 404 when the quoted tweet does not exist; nothing written", async () => {
    const u = await newUser("qbad");
    for (const quoted_tweet_id of ["1", 0, -1, 1.5, 2147483648, null]) {
      expectProblem(
        await api("/tweets", { method: "POST", token: u.token, body: { content: "x", quoted_tweet_id } }),
        400,
      );
    }
    expectProblem(await quote(u, 2147483647), 404, /2147483647/);
    const t = await newTweet(u);
    // The replied-to tweet is checked first, then the quoted one.
    expectProblem(await quote(u, 2147483647, { in_reply_to_tweet_id: t.id }), 404, /2147483647/);
    expectProblem(await quote(u, t.id, { in_reply_to_tweet_id: 2147483646 }), 404, /2147483646/);
    expect(await sql("SELECT 1 FROM tweets WHERE user_id = $1", [u.id])).toHaveLength(1);
    expect((await api(`/users/${u.id}`)).json.tweet_count).toBe(1);
  });

  it("403 while a block stands between the two authors, either way; nothing written", async () => {
    const u = await newUser("qblk");
    const blocker = await newUser("qblkr");
    const blocked = await newUser("qblkd");
    const byBlocker = await newTweet(blocker);
    const byBlocked = await newTweet(blocked);
    await sql("INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2), ($3, $4)", [
      blocker.id,
      u.id,
      u.id,
      blocked.id,
    ]);
    expectProblem(await quote(u, byBlocker.id), 403, /block/);
    expectProblem(await quote(u, byBlocked.id), 403, /block/);
    expect(await sql("SELECT 1 FROM tweets WHERE user_id = $1", [u.id])).toHaveLength(0);
    expect((await api(`/tweets/${byBlocker.id}`)).json.quote_count).toBe(0);
  });

  it("an Idempotency-Key retry returns the first quote; the same key quoting another tweet is 422", async () => {
    const u = await newUser("qidem");
    const a = await newTweet(u);
    const b = await newTweet(u);
    const headers = { "Idempotency-Key": "quote-once" };
    const first = await quote(u, a.id, {}, headers);
    expect(first.status).toBe(201);
    const retry = await quote(u, a.id, {}, headers);
    expect(retry.status).toBe(201);
    expect(retry.json.id).toBe(first.json.id);
    expectProblem(await quote(u, b.id, { content: `quoting ${a.id}` }, headers), 422);
    expect((await api(`/tweets/${a.id}`)).json.quote_count).toBe(1);
    expect((await api(`/tweets/${b.id}`)).json.quote_count).toBe(0);
  });
});

describe("GET /tweets/{id}/quotes", () => {
  it("the tweets quoting it, newest first, paged; 404 for a missing tweet", async () => {
    const author = await newUser("ql");
    const t = await newTweet(author);
    const quoters = [await newUser("ql1"), await newUser("ql2")];
    const made = [];
    for (const q of [...quoters, ...quoters]) made.push((await quote(q, t.id)).json);
    await newTweet(author, "not a quote");
    const { items, pages } = await walk(`/tweets/${t.id}/quotes?limit=3`);
    expect(pages).toBe(2);
    expect(items.map((q) => q.id)).toEqual(made.map((q) => q.id).reverse());
    expect(items.every((q) => q.quoted_tweet?.id === t.id)).toBe(true);
    expectProblem(await api("/tweets/2147483647/quotes"), 404);
    expectProblem(await api(`/tweets/${t.id}/quotes?cursor=${cursorOf(`/tweets/${t.id}/replies`, 1)}`), 400);
  });
});

describe("deletions and blocks", () => {
  it("deleting a quote lowers quote_count; a quote of a deleted tweet stays, with quoted_tweet null", async () => {
    const author = await newUser("qd");
    const quoter = await newUser("qdq");
    const t = await newTweet(author);
    const q1 = (await quote(quoter, t.id)).json;
    const q2 = (await quote(quoter, t.id)).json;
    expect((await api(`/tweets/${t.id}`)).json.quote_count).toBe(2);
    expect((await api(`/tweets/${q1.id}`, { method: "DELETE", token: quoter.token })).status).toBe(204);
    expect((await api(`/tweets/${t.id}`)).json.quote_count).toBe(1);
    expect((await api(`/tweets/${t.id}`, { method: "DELETE", token: author.token })).status).toBe(204);
    expect((await api(`/tweets/${q2.id}`)).json).toMatchObject({ quoted_tweet_id: t.id, quoted_tweet: null });
  });

  it("deleting a user lowers the quote_count of the tweets they quoted", async () => {
    const author = await newUser("qdu");
    const quoter = await newUser("qduq");
    const t = await newTweet(author);
    await quote(quoter, t.id);
    await quote(quoter, t.id, { in_reply_to_tweet_id: t.id });
    expect((await api(`/tweets/${t.id}`)).json).toMatchObject({ quote_count: 2, reply_count: 1 });
    expect((await api(`/users/${quoter.id}`, { method: "DELETE", token: quoter.token })).status).toBe(204);
    expect((await api(`/tweets/${t.id}`)).json).toMatchObject({ quote_count: 0, reply_count: 0 });
  });

  it("quoted_tweet is null for a caller with a block between them and its author, either way", async () => {
    const author = await newUser("qnb");
    const quoter = await newUser("qnbq");
    const reader = await newUser("qnbr");
    const t = await newTweet(author);
    const q = (await quote(quoter, t.id)).json;
    expect((await api(`/tweets/${q.id}`, { token: reader.token })).json.quoted_tweet).toMatchObject({ id: t.id });
    await sql("INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)", [author.id, reader.id]);
    expect((await api(`/tweets/${q.id}`, { token: reader.token })).json).toMatchObject({
      quoted_tweet_id: t.id,
      quoted_tweet: null,
    });
    await sql("DELETE FROM blocks WHERE blocker_id = $1", [author.id]);
    await sql("INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)", [reader.id, author.id]);
    expect((await api(`/tweets/${q.id}`, { token: reader.token })).json.quoted_tweet).toBeNull();
    // Without a token, and for anyone else, it is there.
    expect((await api(`/tweets/${q.id}`)).json.quoted_tweet).toMatchObject({ id: t.id });
  });
});
