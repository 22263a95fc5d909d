import { describe, expect, it } from "vitest";
import { api, expectProblem, like, newTweet, newUser, sql, walk } from "./helpers";

describe("POST /users/{id}/likes", () => {
  it("201 with the Tweet when newly liked, 200 when already liked; the like keeps its first time", async () => {
    const u = await newUser("liker");
    const author = await newUser("author");
    const t = await newTweet(author);
    const first = await like(u, t.id);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      id: t.id,
      user_id: author.id,
      username: author.username,
      like_count: 1,
      liked: true,
    });
    const [before] = await sql("SELECT created_at FROM likes WHERE user_id = $1 AND tweet_id = $2", [u.id, t.id]);
    const again = await like(u, t.id);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: t.id, like_count: 1, liked: true });
    const [after] = await sql("SELECT created_at FROM likes WHERE user_id = $1 AND tweet_id = $2", [u.id, t.id]);
    expect(after.created_at).toEqual(before.created_at);
  });

  it("400 for a bad body, 401 without a token, 403 as someone else, 404 for a missing tweet", async () => {
    const u = await newUser("lfail");
    const other = await newUser("lother");
    const t = await newTweet(other);
    for (const body of [{}, { tweet_id: "1" }, { tweet_id: 0 }, { tweet_id: 1.5 }, { tweet_id: 2147483648 }]) {
      expectProblem(await api(`/users/${u.id}/likes`, { method: "POST", token: u.token, body }), 400);
    }
    expectProblem(await api(`/users/${u.id}/likes`, { method: "POST", body: { tweet_id: t.id } }), 401);
    expectProblem(
      await api(`/users/${other.id}/likes`, { method: "POST", token: u.token, body: { tweet_id: t.id } }),
      403,
    );
    expectProblem(
      await api(`/users/${u.id}/likes`, { method: "POST", token: u.token, body: { tweet_id: 2147483647 } }),
      404,
    );
    expectProblem(
      await api(`/users/${u.id}/likes`, {
        method: "POST",
        token: u.token,
        body: "tweet_id=1",
        headers: { "Content-Type": "text/plain" },
      }),
      415,
    );
    expect(await sql("SELECT 1 FROM likes WHERE user_id IN ($1, $2)", [u.id, other.id])).toHaveLength(0);
  });
});

describe("DELETE /users/{id}/likes/{tweet_id}", () => {
  it("204 whether or not it was liked, and like_count drops once", async () => {
    const u = await newUser("unliker");
    const t = await newTweet(u);
    expect((await like(u, t.id)).status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const res = await api(`/users/${u.id}/likes/${t.id}`, { method: "DELETE", token: u.token });
      expect(res.status).toBe(204);
    }
    expect((await api(`/tweets/${t.id}`)).json.like_count).toBe(0);
  });

  it("401, 403 and 404 for a missing tweet; 400 for bad ids", async () => {
    const u = await newUser("ufail");
    const other = await newUser("uother");
    const t = await newTweet(other);
    expectProblem(await api(`/users/${u.id}/likes/${t.id}`, { method: "DELETE" }), 401);
    expectProblem(await api(`/users/${other.id}/likes/${t.id}`, { method: "DELETE", token: u.token }), 403);
    expectProblem(await api(`/users/${u.id}/likes/2147483647`, { method: "DELETE", token: u.token }), 404);
    expectProblem(await api(`/users/${u.id}/likes/abc`, { method: "DELETE", token: u.token }), 400);
  });
});

describe("liked_tweets and liking_users", () => {
  it("liked_tweets: most recently liked first, paged", async () => {
    const u = await newUser("lt");
    const author = await newUser("lta");
    const tweets = [];
    for (let i = 0; i < 5; i++) tweets.push(await newTweet(author, `likeable ${i}`));
    // Like in an order unlike creation order.
    const order = [tweets[2], tweets[0], tweets[4], tweets[1], tweets[3]].map((t) => t?.id as number);
    for (const id of order) expect((await like(u, id)).status).toBe(201);
    const { items, pages } = await walk(`/users/${u.id}/liked_tweets?limit=2`);
    expect(pages).toBe(3);
    expect(items.map((t) => t.id)).toEqual([...order].reverse());
    expectProblem(await api("/users/2147483647/liked_tweets"), 404);
  });

  it("liking_users: most recent like first, paged", async () => {
    const author = await newUser("lu");
    const t = await newTweet(author);
    const fans = [];
    for (let i = 0; i < 5; i++) {
      const fan = await newUser("fan");
      expect((await like(fan, t.id)).status).toBe(201);
      fans.push(fan);
    }
    const { items, pages } = await walk(`/tweets/${t.id}/liking_users?limit=2`);
    expect(pages).toBe(3);
    expect(items.map((x) => x.id)).toEqual(fans.map((f) => f.id).reverse());
    // Anonymous: Users without following / followed_by.
    for (const item of items)
      expect(Object.keys(item).sort()).toEqual([
        "created_at",
        "followers_count",
        "following_count",
        "id",
        "tweet_count",
        "username",
      ]);
    expectProblem(await api("/tweets/2147483647/liking_users"), 404);
  });
});

describe("like_count under concurrency", () => {
  it("many users liking one tweet in parallel give an exact like_count", async () => {
    const author = await newUser("hot");
    const t = await newTweet(author);
    const fans = await Promise.all(Array.from({ length: 20 }, () => newUser("crowd")));
    const results = await Promise.all(fans.map((f) => like(f, t.id)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect((await api(`/tweets/${t.id}`)).json.like_count).toBe(20);
  });

  it("one user's parallel duplicate likes give one 201", async () => {
    const u = await newUser("dup");
    const t = await newTweet(u);
    const results = await Promise.all(Array.from({ length: 15 }, () => like(u, t.id)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect((await api(`/tweets/${t.id}`)).json.like_count).toBe(1);
  });

  it("like/unlike storms end with like_count equal to the rows in likes", async () => {
    const author = await newUser("storm");
    const t = await newTweet(author);
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser("stormer")));
    const ops = users.flatMap((u) =>
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0 ? like(u, t.id) : api(`/users/${u.id}/likes/${t.id}`, { method: "DELETE", token: u.token }),
      ),
    );
    const results = await Promise.all(ops);
    for (const r of results) expect([200, 201, 204]).toContain(r.status);
    const [row] = await sql(
      "SELECT t.like_count, (SELECT count(*)::int FROM likes l WHERE l.tweet_id = t.id) AS n FROM tweets t WHERE t.id = $1",
      [t.id],
    );
    expect(row.like_count).toBe(row.n);
    expect((await api(`/tweets/${t.id}`)).json.like_count).toBe(row.n);
  });
});

describe("write rate limit", () => {
  it("429 with Retry-After once a user exceeds the write limit", async () => {
    const u = await newUser("busy");
    const t = await newTweet(u);
    const results = [];
    for (let batch = 0; batch < 12; batch++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, () => api(`/users/${u.id}/likes/${t.id}`, { method: "DELETE", token: u.token })),
        )),
      );
    }
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expectProblem(limited[0] as (typeof results)[number], 429);
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
    // Other users are not affected.
    const other = await newUser("calm");
    expect((await api("/tweets", { method: "POST", token: other.token, body: { content: "still fine" } })).status).toBe(
      201,
    );
  });
});
