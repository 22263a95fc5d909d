import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TRIM_EVERY } from "../src/fanout/fanout.queries";
import {
  api,
  eventually,
  expectProblem,
  follow,
  newTweet,
  newUser,
  PASSWORD,
  reply,
  sql,
  type TestUser,
  walk,
} from "./helpers";

const timeline = (u: TestUser, query = "") => api(`/users/${u.id}/timeline${query}`, { token: u.token });
const ids = (res: { json: { id: number }[] }) => res.json.map((t) => t.id);

describe("GET /users/{id}/timeline", () => {
  it("is the caller's only: 401 without a token, 403 for someone else's, 404 for a user that does not exist", async () => {
    const a = await newUser("tla");
    const b = await newUser("tlb");
    expectProblem(await api(`/users/${a.id}/timeline`), 401);
    expectProblem(await api(`/users/${a.id}/timeline`, { token: b.token }), 403);
    expectProblem(await api("/users/2147483647/timeline", { token: a.token }), 404);
    expectProblem(await timeline(a, "?limit=0"), 400);
    expectProblem(await timeline(a, "?cursor=nope"), 400);
  });

  it("has the caller's own tweets at once (read-your-writes), newest first, with replies", async () => {
    const a = await newUser("own");
    const first = await newTweet(a, "my first");
    const second = await reply(a, first.id, "my reply to myself");
    const res = await timeline(a);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([second.id, first.id]);
    expect(res.json[0]).toMatchObject({ in_reply_to_tweet_id: first.id, liked: false });
  });

  it("a new follow brings the followee's tweets (their 100 newest at least) by the very next read", async () => {
    const reader = await newUser("rd");
    const author = await newUser("au");
    const posted = [];
    for (let i = 0; i < 3; i++) posted.push(await newTweet(author, `before the follow ${i}`));
    // Older history, written straight to the table: 110 more, older than the three above.
    await sql(
      `INSERT INTO tweets (user_id, content, created_at)
       SELECT $1, 'history ' || g, now() - interval '1 day' - g * interval '1 minute' FROM generate_series(1, 110) g`,
      [author.id],
    );
    await sql("UPDATE users SET tweet_count = tweet_count + 110 WHERE id = $1", [author.id]);
    expect((await follow(reader, author)).status).toBe(201);
    const { items } = await walk(`/users/${reader.id}/timeline?limit=100`, reader.token);
    expect(items.length).toBeGreaterThanOrEqual(100);
    expect(items.slice(0, 3).map((t) => t.id)).toEqual(posted.map((t) => t.id).reverse());
    expect(items.every((t) => t.user_id === author.id)).toBe(true);
  });

  it("an unfollow takes every tweet of the followee out by the very next read", async () => {
    const reader = await newUser("unrd");
    const author = await newUser("unau");
    await newTweet(author);
    await follow(reader, author);
    await newTweet(author);
    expect((await timeline(reader)).json.length).toBeGreaterThan(0);
    await api(`/users/${reader.id}/following/${author.id}`, { method: "DELETE", token: reader.token });
    expect((await timeline(reader)).json).toEqual([]);
    // Even an entry that a late fan-out writes after the unfollow never shows.
    const late = await newTweet(author);
    await sql(
      "INSERT INTO home_timeline (user_id, created_at, tweet_id, author_id) SELECT $1, created_at, id, user_id FROM tweets WHERE id = $2",
      [reader.id, late.id],
    );
    expect((await timeline(reader)).json).toEqual([]);
  });

  it("a deleted tweet and a deleted user's tweets are gone by the very next read", async () => {
    const reader = await newUser("drd");
    const author = await newUser("dau");
    const other = await newUser("dother");
    await follow(reader, author);
    await follow(reader, other);
    const kept = await newTweet(other);
    const removed = await newTweet(author);
    await eventually(async () => (ids(await timeline(reader)).includes(removed.id) ? true : undefined));
    await api(`/tweets/${removed.id}`, { method: "DELETE", token: author.token });
    expect(ids(await timeline(reader))).not.toContain(removed.id);
    await newTweet(author);
    await api(`/users/${author.id}`, { method: "DELETE", token: author.token });
    expect(ids(await timeline(reader))).toEqual([kept.id]);
  });

  it("a followed user's new tweet appears within 5 seconds of its 201 (queued fan-out)", async () => {
    const readers = await Promise.all([newUser("q1"), newUser("q2"), newUser("q3")]);
    const author = await newUser("qau");
    for (const r of readers) await follow(r, author);
    const tweet = await newTweet(author, `fan me out ${randomBytes(3).toString("hex")}`);
    for (const r of readers) {
      const { ms } = await eventually(
        async () => (ids(await timeline(r)).includes(tweet.id) ? true : undefined),
        5_000,
      );
      expect(ms).toBeLessThan(5_000);
    }
    // The outbox row is gone once every follower has it.
    await eventually(async () =>
      (await sql("SELECT 1 FROM fanout_outbox WHERE tweet_id = $1", [tweet.id])).length === 0 ? true : undefined,
    );
  });

  it("merges accounts with very many followers at read time (no fan-out), immediately", async () => {
    const celebrity = await newUser("celeb");
    const reader = await newUser("celebfan");
    // 50 followers written straight to the tables (the test Worker's FANOUT_MAX_FOLLOWERS is 50) ...
    const [{ first }] = await sql(
      `WITH u AS (INSERT INTO users (username, password_hash)
                  SELECT 'cf_' || substr(md5(random()::text), 1, 12) || g, 'x' FROM generate_series(1, 50) g RETURNING id),
            f AS (INSERT INTO follows (follower_id, followee_id) SELECT id, $1 FROM u RETURNING follower_id),
            c AS (UPDATE users SET following_count = 1 WHERE id IN (SELECT follower_id FROM f))
       SELECT min(follower_id) AS first FROM f`,
      [celebrity.id],
    );
    expect(first).toBeGreaterThan(0);
    await sql("UPDATE users SET followers_count = 50 WHERE id = $1", [celebrity.id]);
    // ... and the 51st through the API: the account enters `celebrities`.
    expect((await follow(reader, celebrity)).json.followers_count).toBe(51);
    expect(await sql("SELECT 1 FROM celebrities WHERE user_id = $1", [celebrity.id])).toHaveLength(1);
    const tweet = await newTweet(celebrity, "to my many followers");
    expect(ids(await timeline(reader))[0]).toBe(tweet.id);
    expect(await sql("SELECT 1 FROM fanout_outbox WHERE tweet_id = $1", [tweet.id])).toEqual([]);
    expect(await sql("SELECT 1 FROM home_timeline WHERE tweet_id = $1", [tweet.id])).toEqual([]);
    await api(`/users/${reader.id}/following/${celebrity.id}`, { method: "DELETE", token: reader.token });
    expect(ids(await timeline(reader))).not.toContain(tweet.id);
  });

  it("pages newest first with ties broken by id, never repeating or skipping while tweets arrive", async () => {
    const reader = await newUser("pg");
    const author = await newUser("pgau");
    await follow(reader, author);
    const mine = [];
    for (let i = 0; i < 6; i++) mine.push(await newTweet(reader, `page ${i}`));
    // Equal times: the id decides, descending.
    await sql("UPDATE tweets SET created_at = '2026-10-02T00:00:00.000Z' WHERE id = ANY($1::int[])", [
      mine.slice(0, 3).map((t) => t.id),
    ]);
    const seen: number[] = [];
    let url: string | undefined = `/users/${reader.id}/timeline?limit=2`;
    while (url) {
      const res = await api(url, { token: reader.token });
      seen.push(...ids(res));
      await newTweet(author, "arrives while paging");
      const link = res.headers.get("link");
      url = link ? /<([^>]+)>/.exec(link)?.[1] : undefined;
    }
    const expected = [
      ...mine
        .slice(3)
        .map((t) => t.id)
        .reverse(),
      ...mine
        .slice(0, 3)
        .map((t) => t.id)
        .sort((x, y) => y - x),
    ];
    expect(seen).toEqual(expected);
  });

  it("keeps at least the newest 800 entries reachable after trimming", async () => {
    const reader = await newUser("many");
    const author = await newUser("prolific");
    await follow(reader, author);
    // 900 tweets and their entries, written straight to the tables; then a real fan-out delivery
    // whose trim keeps exactly the newest 800 (the trim runs for 1 in TRIM_EVERY deliveries, chosen by ids).
    await sql(
      `WITH t AS (INSERT INTO tweets (user_id, content, created_at)
                  SELECT $1, 'bulk ' || g, now() - interval '1 hour' - g * interval '1 second'
                  FROM generate_series(1, 900) g RETURNING id, created_at, user_id)
       INSERT INTO home_timeline (user_id, created_at, tweet_id, author_id) SELECT $2, created_at, id, user_id FROM t`,
      [author.id, reader.id],
    );
    await sql("UPDATE users SET tweet_count = tweet_count + 900 WHERE id = $1", [author.id]);
    let tweet = await newTweet(author);
    while ((tweet.id + reader.id) % TRIM_EVERY !== 0) {
      // Skip the tweet ids up to the next one that trims this timeline (nextval only moves forward,
      // so other tests' tweets are unaffected; one of theirs may take it: then again).
      const skip = (TRIM_EVERY - ((tweet.id + 1 + reader.id) % TRIM_EVERY)) % TRIM_EVERY;
      await sql("SELECT nextval(pg_get_serial_sequence('tweets', 'id')) FROM generate_series(1, $1::int)", [skip]);
      tweet = await newTweet(author);
    }
    await eventually(async () => (ids(await timeline(reader)).includes(tweet.id) ? true : undefined));
    const entries = await eventually(async () => {
      const [{ n }] = await sql("SELECT count(*)::int AS n FROM home_timeline WHERE user_id = $1", [reader.id]);
      return n <= 810 ? n : undefined;
    });
    expect(entries.value).toBeGreaterThanOrEqual(800);
    const { items } = await walk(`/users/${reader.id}/timeline?limit=100`, reader.token);
    expect(items.length).toBeGreaterThanOrEqual(800);
    const times = items.map((t) => Date.parse(t.created_at));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  it("a password change revokes the token for the timeline too", async () => {
    const u = await newUser("tlrev");
    await api(`/users/${u.id}`, { method: "PATCH", token: u.token, body: { password: `${PASSWORD} 2` } });
    expectProblem(await timeline(u), 401);
  });
});
