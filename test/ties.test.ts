import { describe, expect, it } from "vitest";
import { api, cursorOf, expectProblem, follow, like, newTweet, newUser, reply, sql, walk } from "./helpers";

/**
 * Every list ordered by time breaks ties by the listed object's id, in the same direction, across
 * page boundaries: rows with equal timestamps are paged one at a time here, so a cursor that kept
 * only the time (or compared the id the wrong way) would repeat or skip them.
 */
const SAME = "2026-10-05T12:00:00.000Z";
const desc = (ids: number[]) => [...ids].sort((a, b) => b - a);
const asc = (ids: number[]) => [...ids].sort((a, b) => a - b);
const walkIds = async (path: string, token?: string) =>
  (await walk<{ id: number }>(path, token)).items.map((x) => x.id);

describe("equal timestamps on every list", () => {
  it("tweets: GET /tweets, /users/{id}/tweets, search, replies and the timeline", async () => {
    const u = await newUser("tie");
    const marker = `tie${Date.now().toString(36)}`;
    const root = await newTweet(u, `${marker} root`);
    const tweets = [];
    for (let i = 0; i < 4; i++) tweets.push((await reply(u, root.id, `${marker} ${i}`)).id);
    const all = [root.id, ...tweets];
    await sql("UPDATE tweets SET created_at = $1 WHERE id = ANY($2::int[])", [SAME, all]);
    expect(await walkIds(`/users/${u.id}/tweets?limit=1`)).toEqual(desc(all));
    expect(await walkIds(`/tweets/search?q=${marker}&limit=1`)).toEqual(desc(all));
    expect(await walkIds(`/tweets/${root.id}/replies?limit=1`)).toEqual(asc(tweets));
    expect(await walkIds(`/users/${u.id}/timeline?limit=1`, u.token)).toEqual(desc(all));
    // GET /tweets from just above them (other tests' tweets are newer).
    const cursor = cursorOf("/tweets", SAME, Math.max(...all) + 1);
    const page = await api(`/tweets?limit=5&cursor=${cursor}`);
    expect(page.json.slice(0, 5).map((t: { id: number }) => t.id)).toEqual(desc(all));
  });

  it("likes and follows: liked_tweets, liking_users, followers, following", async () => {
    const fan = await newUser("tiefan");
    const author = await newUser("tieauthor");
    const tweets = [];
    for (let i = 0; i < 3; i++) tweets.push((await newTweet(author)).id);
    for (const id of tweets) expect((await like(fan, id)).status).toBe(201);
    const fans = [fan];
    for (let i = 0; i < 2; i++) fans.push(await newUser("tiefan"));
    for (const f of fans.slice(1)) await like(f, tweets[0] as number);
    const stars = [author, await newUser("tiestar"), await newUser("tiestar")];
    for (const s of stars) await follow(fan, s);
    for (const f of fans.slice(1)) await follow(f, author);
    await sql("UPDATE likes SET created_at = $1 WHERE user_id = ANY($2::int[])", [SAME, fans.map((f) => f.id)]);
    await sql("UPDATE follows SET created_at = $1 WHERE follower_id = ANY($2::int[])", [SAME, fans.map((f) => f.id)]);
    expect(await walkIds(`/users/${fan.id}/liked_tweets?limit=1`)).toEqual(desc(tweets));
    expect(await walkIds(`/tweets/${tweets[0]}/liking_users?limit=1`)).toEqual(desc(fans.map((f) => f.id)));
    expect(await walkIds(`/users/${fan.id}/following?limit=1`)).toEqual(desc(stars.map((s) => s.id)));
    expect(await walkIds(`/users/${author.id}/followers?limit=1`)).toEqual(desc(fans.map((f) => f.id)));
  });

  it("users: GET /users is by id alone", async () => {
    const users = [await newUser("tieu"), await newUser("tieu")];
    await sql("UPDATE users SET created_at = $1 WHERE id = ANY($2::int[])", [SAME, users.map((u) => u.id)]);
    const cursor = cursorOf("/users", Math.min(...users.map((u) => u.id)) - 1);
    // Other test files sign users up meanwhile: their ids may fall between these two.
    const ours = users.map((u) => u.id);
    const page = await api(`/users?limit=100&cursor=${cursor}`);
    const ids: number[] = page.json.map((u: { id: number }) => u.id);
    expect(ids[0]).toBe(Math.min(...ours));
    expect(ids.filter((id) => ours.includes(id))).toEqual(asc(ours));
  });
});

describe("a revoked token", () => {
  it("is 401 on every write endpoint, and nothing is written", async () => {
    const u = await newUser("revokedw");
    const other = await newUser("revokedo");
    const t = await newTweet(other);
    const mine = await newTweet(u);
    const old = u.token;
    await api(`/users/${u.id}`, { method: "PATCH", token: old, body: { password: "a completely new password" } });
    const writes: [string, string, unknown?][] = [
      ["POST", "/tweets", { content: "with a revoked token" }],
      ["POST", "/tweets", { content: "a revoked reply", in_reply_to_tweet_id: t.id }],
      ["DELETE", `/tweets/${mine.id}`],
      ["POST", `/users/${u.id}/likes`, { tweet_id: t.id }],
      ["DELETE", `/users/${u.id}/likes/${t.id}`],
      ["POST", `/users/${u.id}/following`, { target_user_id: other.id }],
      ["DELETE", `/users/${u.id}/following/${other.id}`],
      ["PATCH", `/users/${u.id}`, { username: `${u.username.slice(0, 25)}_x` }],
      ["PUT", `/users/${u.id}`, { password: "yet another password" }],
      ["DELETE", `/users/${u.id}`],
      ["GET", `/users/${u.id}/timeline`],
    ];
    for (const [method, path, body] of writes) {
      const res = await api(path, { method, token: old, body });
      expectProblem(res, 401);
      expect(res.headers.get("www-authenticate"), `${method} ${path}`).toMatch(/^Bearer/);
    }
    const [row] = await sql(
      `SELECT (SELECT count(*)::int FROM tweets WHERE user_id = $1) AS tweets,
              (SELECT count(*)::int FROM likes WHERE user_id = $1) AS likes,
              (SELECT count(*)::int FROM follows WHERE follower_id = $1) AS follows,
              (SELECT username FROM users WHERE id = $1) AS username`,
      [u.id],
    );
    expect(row).toEqual({ tweets: 1, likes: 0, follows: 0, username: u.username });
  });
});
