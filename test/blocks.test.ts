import { describe, expect, it } from "vitest";
import {
  api,
  countMismatches,
  cursorOf,
  eventually,
  expectProblem,
  follow,
  like,
  NO_MISMATCHES,
  newTweet,
  newUser,
  reply,
  sql,
  type TestUser,
  walk,
} from "./helpers";

const block = (user: TestUser, target: { id: number }) =>
  api(`/users/${user.id}/blocking`, { method: "POST", token: user.token, body: { target_user_id: target.id } });
const unblock = (user: TestUser, target: { id: number }) =>
  api(`/users/${user.id}/blocking/${target.id}`, { method: "DELETE", token: user.token });
const mute = (user: TestUser, target: { id: number }) =>
  api(`/users/${user.id}/muting`, { method: "POST", token: user.token, body: { target_user_id: target.id } });
const unmute = (user: TestUser, target: { id: number }) =>
  api(`/users/${user.id}/muting/${target.id}`, { method: "DELETE", token: user.token });
const bookmark = (user: TestUser, tweetId: number) =>
  api(`/users/${user.id}/bookmarks`, { method: "POST", token: user.token, body: { tweet_id: tweetId } });
const ids = (items: { id: number }[]) => items.map((t) => t.id);
const userOf = async (id: number) => (await api(`/users/${id}`)).json;

describe("POST/DELETE/GET /users/{id}/blocking", () => {
  it("blocks: 201 with the target User (blocking), 200 when repeated; listed most recent first; unblock is idempotent", async () => {
    const [a, b, c] = [await newUser("bl"), await newUser("blb"), await newUser("blc")];
    const first = await block(a, b);
    expect(first.status, first.text).toBe(201);
    expect(first.json).toEqual({
      id: b.id,
      username: b.username,
      created_at: expect.any(String),
      followers_count: 0,
      following_count: 0,
      tweet_count: 0,
      following: false,
      followed_by: false,
      blocking: true,
      muting: false,
    });
    expect((await block(a, b)).status).toBe(200);
    expect((await block(a, c)).status).toBe(201);
    const listed = await walk(`/users/${a.id}/blocking?limit=1`, a.token);
    expect(ids(listed.items)).toEqual([c.id, b.id]);
    expect(listed.pages).toBe(2);
    expect((await api(`/users/${b.id}`, { token: a.token })).json).toMatchObject({ blocking: true, muting: false });
    // The blocked user sees nothing that says so.
    expect((await api(`/users/${a.id}`, { token: b.token })).json).toMatchObject({ blocking: false });
    expect((await unblock(a, b)).status).toBe(204);
    expect((await unblock(a, b)).status).toBe(204);
    expect(ids((await walk(`/users/${a.id}/blocking`, a.token)).items)).toEqual([c.id]);
  });

  it("400 for yourself or a bad body, 401, 403 for someone else's, 404 for a missing target; nothing written", async () => {
    const [a, b] = [await newUser("blx"), await newUser("bly")];
    expectProblem(await block(a, a), 400);
    expectProblem(
      await api(`/users/${a.id}/blocking`, { method: "POST", token: a.token, body: { target_user_id: "x" } }),
      400,
    );
    expectProblem(await api(`/users/${a.id}/blocking`, { method: "POST", body: { target_user_id: b.id } }), 401);
    expectProblem(await block({ ...b, id: a.id }, b), 403);
    expectProblem(await block(a, { id: 2_147_483_647 }), 404);
    expectProblem(await unblock(a, { id: 2_147_483_647 }), 404);
    expectProblem(await api(`/users/${a.id}/blocking/${b.id}`, { method: "DELETE", token: b.token }), 403);
    expectProblem(await api(`/users/${a.id}/blocking`, { token: b.token }), 403);
    expectProblem(await api(`/users/${a.id}/blocking`), 401);
    expectProblem(await api("/users/2147483647/blocking", { token: a.token }), 404);
    expect(await sql("SELECT 1 FROM blocks WHERE blocker_id IN ($1, $2)", [a.id, b.id])).toEqual([]);
  });

  it("removes the follows between the two, both ways, with their counts", async () => {
    const [a, b, other] = [await newUser("bf"), await newUser("bfb"), await newUser("bfo")];
    expect((await follow(a, b)).status).toBe(201);
    expect((await follow(b, a)).status).toBe(201);
    expect((await follow(other, b)).status).toBe(201);
    const t = await newTweet(b);
    const timeline = async () => ids((await walk(`/users/${a.id}/timeline`, a.token)).items);
    await eventually(async () => ((await timeline()).includes(t.id) ? true : undefined));
    const res = await block(a, b);
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ followers_count: 1, following_count: 0, following: false, followed_by: false });
    expect(await userOf(a.id)).toMatchObject({ followers_count: 0, following_count: 0 });
    expect(await userOf(b.id)).toMatchObject({ followers_count: 1, following_count: 0 });
    expect(await timeline()).not.toContain(t.id);
    expect(
      await sql("SELECT 1 FROM follows WHERE $1 IN (follower_id, followee_id) AND $2 IN (follower_id, followee_id)", [
        a.id,
        b.id,
      ]),
    ).toEqual([]);
    expect(await countMismatches({ users: [a.id, b.id, other.id] })).toEqual(NO_MISMATCHES);
  });

  it("while a block stands, either way: no follow, like or reply (403), nothing written; all allowed again after unblock", async () => {
    const [a, b] = [await newUser("bw"), await newUser("bwb")];
    const byA = await newTweet(a);
    const byB = await newTweet(b);
    expect((await block(a, b)).status).toBe(201);
    for (const [actor, target, tweet] of [
      [a, b, byB],
      [b, a, byA],
    ] as const) {
      expectProblem(await follow(actor, target), 403, /block/);
      expectProblem(await like(actor, tweet.id), 403, /block/);
      expectProblem(
        await api("/tweets", {
          method: "POST",
          token: actor.token,
          body: { content: "a reply", in_reply_to_tweet_id: tweet.id },
        }),
        403,
        /block/,
      );
    }
    expect(await sql("SELECT 1 FROM follows WHERE follower_id IN ($1, $2)", [a.id, b.id])).toEqual([]);
    expect(await sql("SELECT 1 FROM likes WHERE user_id IN ($1, $2)", [a.id, b.id])).toEqual([]);
    expect(await userOf(a.id)).toMatchObject({ tweet_count: 1 });
    expect((await api(`/tweets/${byB.id}`)).json).toMatchObject({ like_count: 0, reply_count: 0 });
    // A missing tweet is still 404 first.
    expectProblem(await like(b, 2_147_483_647), 404);
    expect((await unblock(a, b)).status).toBe(204);
    expect((await follow(b, a)).status).toBe(201);
    expect((await like(b, byA.id)).status).toBe(201);
    await reply(b, byA.id);
    expect(await countMismatches({ users: [a.id, b.id], tweets: [byA.id, byB.id] })).toEqual(NO_MISMATCHES);
  });
});

describe("visibility: a block leaves the other's tweets out of every list of tweets for a caller", () => {
  it("GET /tweets, a user's tweets, liked tweets, replies, quotes, mentions, search, bookmarks, the timeline and context; back after unblock", async () => {
    const [reader, author, friend] = [await newUser("vr"), await newUser("va"), await newUser("vf")];
    const tag = `#v${Date.now().toString(36)}`;
    const root = await newTweet(friend, `root ${tag}`);
    // Replies to the root that also quote it and mention the friend: in replies, quotes and mentions.
    const replyQuote = async (u: TestUser, content: string) => {
      const res = await api("/tweets", {
        method: "POST",
        token: u.token,
        body: { content: `${content} @${friend.username}`, in_reply_to_tweet_id: root.id, quoted_tweet_id: root.id },
      });
      expect(res.status, res.text).toBe(201);
      return res.json as { id: number; created_at: string };
    };
    const hidden = await replyQuote(author, `hidden ${tag}`);
    const below = await reply(friend, hidden.id, `below ${tag}`);
    const shown = await replyQuote(friend, `shown ${tag}`);
    expect((await follow(reader, author)).status).toBe(201);
    expect((await follow(reader, friend)).status).toBe(201);
    expect((await like(friend, hidden.id)).status).toBe(201);
    expect((await like(friend, shown.id)).status).toBe(201);
    expect((await bookmark(reader, hidden.id)).status).toBe(201);
    expect((await bookmark(reader, shown.id)).status).toBe(201);
    await eventually(async () => {
      const tl = ids((await walk(`/users/${reader.id}/timeline`, reader.token)).items);
      return tl.includes(hidden.id) && tl.includes(shown.id) ? true : undefined;
    });

    const lists = {
      // From just above `shown` down: other test files write tweets meanwhile, and a page from the
      // top could be all theirs by the time it is read.
      tweets: `/tweets?limit=100&cursor=${cursorOf("/tweets", shown.created_at, shown.id + 1)}`,
      userTweets: `/users/${author.id}/tweets`,
      liked: `/users/${friend.id}/liked_tweets`,
      replies: `/tweets/${root.id}/replies`,
      quotes: `/tweets/${root.id}/quotes`,
      mentions: `/users/${friend.id}/mentions`,
      search: `/tweets/search?q=${encodeURIComponent(tag)}`,
      bookmarks: `/users/${reader.id}/bookmarks`,
      timeline: `/users/${reader.id}/timeline`,
    };
    const seen = async (user: TestUser) => {
      const out: Record<string, number[]> = {};
      for (const [name, path] of Object.entries(lists)) {
        if (name === "tweets") out[name] = ids((await api(path, { token: user.token })).json);
        else if (name === "bookmarks" || name === "timeline") {
          if (user === reader) out[name] = ids((await walk(path, user.token)).items);
        } else out[name] = ids((await walk(path, user.token)).items);
      }
      return out;
    };
    const before = await seen(reader);
    for (const [name, list] of Object.entries(before)) expect(list, name).toContain(hidden.id);

    // The author blocks the reader (the other direction hides just the same).
    expect((await block(author, reader)).status).toBe(201);
    const during = await seen(reader);
    for (const [name, list] of Object.entries(during)) {
      expect(list, name).not.toContain(hidden.id);
      if (name !== "userTweets") expect(list, name).toContain(shown.id);
    }
    // A blocked author's own list ends at once: nothing of theirs is read, no Link leads on.
    for (let i = 0; i < 5; i++) await newTweet(author);
    const theirs = await api(`/users/${author.id}/tweets?limit=1`, { token: reader.token });
    expect(theirs.json).toEqual([]);
    expect(theirs.headers.get("link")).toBeNull();
    // The author still sees their own tweets; GET /tweets/{id} and GET /users/{id} still answer.
    expect(ids((await walk(lists.userTweets, author.token)).items)).toContain(hidden.id);
    expect((await api(`/tweets/${hidden.id}`, { token: reader.token })).status).toBe(200);
    expect((await api(`/users/${author.id}`, { token: reader.token })).status).toBe(200);
    // Without a token nothing is left out.
    expect(ids((await walk(lists.replies)).items)).toContain(hidden.id);
    // context: the descendants leave out the hidden tweet and its replies; its reply's ancestors end below it.
    const ctx = (await api(`/tweets/${root.id}/context`, { token: reader.token })).json;
    expect(ids(ctx.descendants)).toEqual([shown.id]);
    const fromBelow = (await api(`/tweets/${below.id}/context`, { token: reader.token })).json;
    expect(fromBelow.ancestors).toEqual([]);
    const all = (await api(`/tweets/${below.id}/context`)).json;
    expect(ids(all.ancestors)).toEqual([root.id, hidden.id]);

    expect((await unblock(author, reader)).status).toBe(204);
    // The block removed the follow; following again brings the author's tweets back to the timeline.
    expect((await follow(reader, author)).status).toBe(201);
    const after = await seen(reader);
    for (const [name, list] of Object.entries(after)) expect(list, name).toContain(hidden.id);
    expect(ids((await api(`/tweets/${root.id}/context`, { token: reader.token })).json.descendants)).toEqual([
      hidden.id,
      below.id,
      shown.id,
    ]);
  });

  it("a page reads a bounded number of rows: it may be short (even empty) while its Link leads on, and paging reaches every shown tweet once", async () => {
    const [reader, blocked, other] = [await newUser("br"), await newUser("bb"), await newUser("bo")];
    const keep = [await newTweet(other), await newTweet(other)];
    const hide: number[] = [];
    for (let i = 0; i < 10; i++) hide.push((await newTweet(blocked)).id);
    const last = await newTweet(other);
    for (const id of [keep[0]?.id, keep[1]?.id, ...hide, last.id])
      expect((await bookmark(reader, id as number)).status).toBe(201);
    expect((await block(reader, blocked)).status).toBe(201);
    const pages: number[][] = [];
    let url: string | undefined = `/users/${reader.id}/bookmarks?limit=1`;
    while (url) {
      const res = await api(url, { token: reader.token });
      expect(res.status, res.text).toBe(200);
      pages.push(ids(res.json));
      const link = res.headers.get("link");
      url = link ? /<([^>]+)>/.exec(link)?.[1] : undefined;
      expect(pages.length).toBeLessThan(30);
    }
    expect(pages.flat()).toEqual([last.id, keep[1]?.id, keep[0]?.id]);
    // Most recent first: the newest (shown) first, then the blocked author's 10 fill whole scans (4 rows each at limit 1).
    expect(pages.some((p) => p.length === 0)).toBe(true);
    expect((await walk(`/users/${reader.id}/bookmarks?limit=100`, reader.token)).items).toHaveLength(3);
  });
});

describe("mutes", () => {
  it("POST/DELETE/GET /users/{id}/muting: 201/200, listed, private, idempotent", async () => {
    const [a, b] = [await newUser("mu"), await newUser("mub")];
    const first = await mute(a, b);
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ id: b.id, muting: true, blocking: false });
    expect((await mute(a, b)).status).toBe(200);
    expect(ids((await walk(`/users/${a.id}/muting`, a.token)).items)).toEqual([b.id]);
    expectProblem(await api(`/users/${a.id}/muting`, { token: b.token }), 403);
    expectProblem(await mute(a, a), 400);
    expectProblem(await mute(a, { id: 2_147_483_647 }), 404);
    expect((await api(`/users/${b.id}`, { token: a.token })).json).toMatchObject({ muting: true });
    expect((await unmute(a, b)).status).toBe(204);
    expect((await unmute(a, b)).status).toBe(204);
    expect((await walk(`/users/${a.id}/muting`, a.token)).items).toEqual([]);
  });

  it("hides the muted user's tweets and reposts from the muter's home timeline only, in every source; back after unmute", async () => {
    const [reader, muted, friend, star] = [
      await newUser("mr"),
      await newUser("mm"),
      await newUser("mf"),
      await newUser("ms"),
    ];
    for (const u of [muted, friend, star]) expect((await follow(reader, u)).status).toBe(201);
    await sql("INSERT INTO celebrities (user_id) VALUES ($1)", [star.id]);
    const fromMuted = await newTweet(muted);
    const fromFriend = await newTweet(friend);
    const fromStar = await newTweet(star);
    const timeline = async () => ids((await walk(`/users/${reader.id}/timeline`, reader.token)).items);
    await eventually(async () => ((await timeline()).includes(fromMuted.id) ? true : undefined));
    // A repost by the muted user of a tweet by someone the reader does not follow: an entry of the
    // reader's timeline, with reposted_by (fanned out like a post).
    const stranger = await newUser("mx");
    const older = await newTweet(stranger);
    const reposted = await api(`/users/${muted.id}/reposts`, {
      method: "POST",
      token: muted.token,
      body: { tweet_id: older.id },
    });
    expect(reposted.status, reposted.text).toBe(201);
    await eventually(async () => ((await timeline()).includes(older.id) ? true : undefined));
    expect(await timeline()).toEqual(expect.arrayContaining([fromMuted.id, fromFriend.id, fromStar.id, older.id]));

    expect((await mute(reader, muted)).status).toBe(201);
    expect((await mute(reader, star)).status).toBe(201);
    const during = await timeline();
    expect(during).toContain(fromFriend.id);
    for (const id of [fromMuted.id, fromStar.id, older.id]) expect(during).not.toContain(id);
    // Only the home timeline: other lists still show them.
    expect(ids((await walk(`/users/${muted.id}/tweets`, reader.token)).items)).toContain(fromMuted.id);

    expect((await unmute(reader, muted)).status).toBe(204);
    expect((await unmute(reader, star)).status).toBe(204);
    expect(await timeline()).toEqual(expect.arrayContaining([fromMuted.id, fromFriend.id, fromStar.id, older.id]));
  });
});

describe("bookmarks", () => {
  it("POST: 201 with the Tweet (bookmarked), 200 when repeated; listed most recently bookmarked first; DELETE idempotent", async () => {
    const [u, author] = [await newUser("bk"), await newUser("bka")];
    const [t1, t2] = [await newTweet(author), await newTweet(author)];
    const first = await bookmark(u, t1.id);
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ id: t1.id, bookmarked: true, liked: false });
    const [{ created_at: before }] = await sql("SELECT created_at FROM bookmarks WHERE user_id = $1", [u.id]);
    expect((await bookmark(u, t1.id)).status).toBe(200);
    const [{ created_at: again }] = await sql("SELECT created_at FROM bookmarks WHERE user_id = $1", [u.id]);
    expect(again).toEqual(before);
    expect((await bookmark(u, t2.id)).status).toBe(201);
    expect((await api(`/tweets/${t1.id}`, { token: u.token })).json).toMatchObject({ bookmarked: true });
    expect((await api(`/tweets/${t1.id}`, { token: author.token })).json).toMatchObject({ bookmarked: false });
    expect((await api(`/tweets/${t1.id}`)).json.bookmarked).toBeUndefined();
    const listed = await walk(`/users/${u.id}/bookmarks?limit=1`, u.token);
    expect(ids(listed.items)).toEqual([t2.id, t1.id]);
    const del = () => api(`/users/${u.id}/bookmarks/${t2.id}`, { method: "DELETE", token: u.token });
    expect((await del()).status).toBe(204);
    expect((await del()).status).toBe(204);
    expect(ids((await walk(`/users/${u.id}/bookmarks`, u.token)).items)).toEqual([t1.id]);
    // A deleted tweet leaves the bookmarks.
    expect((await api(`/tweets/${t1.id}`, { method: "DELETE", token: author.token })).status).toBe(204);
    expect((await walk(`/users/${u.id}/bookmarks`, u.token)).items).toEqual([]);
  });

  it("private: 401 without a token, 403 for someone else's; 404 for a missing tweet or user; 400 for a bad body", async () => {
    const [u, other] = [await newUser("bp"), await newUser("bpo")];
    const t = await newTweet(other);
    expectProblem(await api(`/users/${u.id}/bookmarks`), 401);
    expectProblem(await api(`/users/${u.id}/bookmarks`, { token: other.token }), 403);
    expectProblem(await bookmark({ ...other, id: u.id }, t.id), 403);
    expectProblem(await api(`/users/${u.id}/bookmarks/${t.id}`, { method: "DELETE", token: other.token }), 403);
    expectProblem(await bookmark(u, 2_147_483_647), 404);
    expectProblem(await api(`/users/${u.id}/bookmarks/2147483647`, { method: "DELETE", token: u.token }), 404);
    expectProblem(await api("/users/2147483647/bookmarks", { token: u.token }), 404);
    expectProblem(
      await api(`/users/${u.id}/bookmarks`, { method: "POST", token: u.token, body: { tweet_id: 0 } }),
      400,
    );
    expect(await sql("SELECT 1 FROM bookmarks WHERE user_id IN ($1, $2)", [u.id, other.id])).toEqual([]);
  });
});

describe("deleting an account", () => {
  it("removes its blocks, mutes and bookmarks, both ways", async () => {
    const [gone, other] = [await newUser("dg"), await newUser("do")];
    const t = await newTweet(other);
    const own = await newTweet(gone);
    expect((await block(gone, other)).status).toBe(201);
    expect((await mute(other, gone)).status).toBe(201);
    expect((await bookmark(gone, t.id)).status).toBe(201);
    expect((await bookmark(other, own.id)).status).toBe(201);
    expect((await api(`/users/${gone.id}`, { method: "DELETE", token: gone.token })).status).toBe(204);
    for (const table of ["blocks", "mutes"])
      expect(
        await sql(
          `SELECT 1 FROM ${table} WHERE $1 IN (${table === "blocks" ? "blocker_id, blocked_id" : "muter_id, muted_id"})`,
          [gone.id],
        ),
        table,
      ).toEqual([]);
    expect(await sql("SELECT 1 FROM bookmarks WHERE user_id = $1 OR tweet_id = $2", [gone.id, own.id])).toEqual([]);
    expect((await walk(`/users/${other.id}/muting`, other.token)).items).toEqual([]);
    expect((await walk(`/users/${other.id}/bookmarks`, other.token)).items).toEqual([]);
  });
});
