import { describe, expect, it } from "vitest";
import {
  api,
  expectProblem,
  follow,
  like,
  newTweet,
  newUser,
  orphanNotifications,
  reply,
  sql,
  type TestUser,
  walk,
} from "./helpers";

const notificationsOf = async (u: TestUser, query = "") => {
  const res = await api(`/users/${u.id}/notifications${query}`, { token: u.token });
  expect(res.status, res.text).toBe(200);
  return res.json as {
    id: number;
    type: string;
    created_at: string;
    actor: { id: number; username: string };
    tweet: { id: number } | null;
  }[];
};
const unread = async (u: TestUser) => {
  const res = await api(`/users/${u.id}/notifications/unread_count`, { token: u.token });
  expect(res.status, res.text).toBe(200);
  return res.json.count as number;
};
const post = async (u: TestUser, content: string, extra: Record<string, unknown> = {}) => {
  const res = await api("/tweets", { method: "POST", token: u.token, body: { content, ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: number };
};
const putMarker = (u: TestUser, body: unknown) =>
  api(`/users/${u.id}/notifications/marker`, { method: "PUT", token: u.token, body });

describe("like and follow notifications", () => {
  it("a like notifies the tweet's author once (actor User, tweet Tweet); unlike removes it; none for one's own", async () => {
    const author = await newUser("nla");
    const fan = await newUser("nlf");
    const t = await newTweet(author);
    expect((await like(fan, t.id)).status).toBe(201);
    expect((await like(fan, t.id)).status).toBe(200);
    expect((await like(author, t.id)).status).toBe(201);
    const list = await notificationsOf(author);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      type: "like",
      actor: { id: fan.id, username: fan.username, following: false, followed_by: false },
      tweet: { id: t.id, like_count: 2, liked: true },
    });
    expect(list[0]?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await notificationsOf(fan)).toEqual([]);
    expect((await api(`/users/${fan.id}/likes/${t.id}`, { method: "DELETE", token: fan.token })).status).toBe(204);
    expect(await notificationsOf(author)).toEqual([]);
    // Liking again notifies again (a new action), once.
    expect((await like(fan, t.id)).status).toBe(201);
    expect((await notificationsOf(author)).map((n) => n.type)).toEqual(["like"]);
  });

  it("a follow notifies the followee with tweet null; a repeat adds none; unfollow removes it", async () => {
    const a = await newUser("nfa");
    const b = await newUser("nfb");
    expect((await follow(a, b)).status).toBe(201);
    expect((await follow(a, b)).status).toBe(200);
    const list = await notificationsOf(b);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ type: "follow", actor: { id: a.id }, tweet: null });
    expect((await api(`/users/${a.id}/following/${b.id}`, { method: "DELETE", token: a.token })).status).toBe(204);
    expect(await notificationsOf(b)).toEqual([]);
  });

  it("deleting the liked tweet or the actor's account removes their notifications", async () => {
    const author = await newUser("nda");
    const fan = await newUser("ndf");
    const gone = await newUser("ndg");
    const t1 = await newTweet(author);
    const t2 = await newTweet(author);
    expect((await like(fan, t1.id)).status).toBe(201);
    expect((await like(fan, t2.id)).status).toBe(201);
    expect((await like(gone, t2.id)).status).toBe(201);
    expect((await follow(gone, author)).status).toBe(201);
    expect(await notificationsOf(author)).toHaveLength(4);
    expect((await api(`/tweets/${t1.id}`, { method: "DELETE", token: author.token })).status).toBe(204);
    expect((await api(`/users/${gone.id}`, { method: "DELETE", token: gone.token })).status).toBe(204);
    const left = await notificationsOf(author);
    expect(left.map((n) => [n.type, n.actor.id, n.tweet?.id])).toEqual([["like", fan.id, t2.id]]);
  });
});

describe("the invariant (scripts/stack/invariants.ts, which the soak and the storms check)", () => {
  it("holds after the API's actions, and sees a notification whose action is gone", async () => {
    const author = await newUser("ninv");
    const fan = await newUser("ninf");
    const t = await newTweet(author);
    expect((await like(fan, t.id)).status).toBe(201);
    expect((await follow(fan, author)).status).toBe(201);
    await reply(fan, t.id, `@${author.username} hi`);
    const scope = { users: [author.id, fan.id] };
    expect(await orphanNotifications(scope)).toBe(0);
    // Rows removed behind the API's back leave their notifications: the check counts them.
    await sql("DELETE FROM likes WHERE user_id = $1", [fan.id]);
    await sql("DELETE FROM follows WHERE follower_id = $1", [fan.id]);
    expect(await orphanNotifications(scope)).toBe(2);
    await sql("UPDATE tweets SET like_count = 0 WHERE id = $1", [t.id]);
    await sql("UPDATE users SET following_count = 0 WHERE id = $1", [fan.id]);
    await sql("UPDATE users SET followers_count = 0 WHERE id = $1", [author.id]);
    await sql("DELETE FROM notifications WHERE actor_id = $1 AND type IN ('like', 'follow')", [fan.id]);
  });
});

describe("reply and mention notifications", () => {
  it("a reply notifies the parent's author; mentioning them too still gives one (reply before mention)", async () => {
    const author = await newUser("nra");
    const replier = await newUser("nrr");
    const t = await newTweet(author);
    const r = await reply(replier, t.id, `@${author.username.toUpperCase()} agreed`);
    const list = await notificationsOf(author);
    expect(list.map((n) => [n.type, n.actor.id, n.tweet?.id])).toEqual([["reply", replier.id, r.id]]);
    // Replying to oneself notifies nobody.
    await reply(author, t.id, "and me");
    expect(await notificationsOf(author)).toHaveLength(1);
    // Deleting the reply removes its notification (the mention row goes with it).
    expect((await api(`/tweets/${r.id}`, { method: "DELETE", token: replier.token })).status).toBe(204);
    expect(await notificationsOf(author)).toEqual([]);
    expect((await api(`/users/${author.id}/mentions`)).json).toEqual([]);
  });

  it("mentions follow the grammar: case-insensitive, existing users, not in addresses, not after @", async () => {
    const writer = await newUser("nmw");
    const [a, b, c, d] = await Promise.all(["nma", "nmb", "nmc", "nmd"].map((p) => newUser(p)));
    if (!a || !b || !c || !d) throw new Error("users");
    const content =
      `@${a.username.toUpperCase()}'s idea, cc @${b.username}, @${b.username} again, ` +
      `mail me at x@${c.username} or @@${d.username}, @nobody_${writer.username.slice(-6)} and @${writer.username}`;
    const t = await post(writer, content);
    for (const u of [a, b]) {
      expect((await notificationsOf(u)).map((n) => [n.type, n.actor.id, n.tweet?.id])).toEqual([
        ["mention", writer.id, t.id],
      ]);
      expect((await api(`/users/${u.id}/mentions`)).json.map((x: { id: number }) => x.id)).toEqual([t.id]);
    }
    for (const u of [c, d]) {
      expect(await notificationsOf(u)).toEqual([]);
      expect((await api(`/users/${u.id}/mentions`)).json).toEqual([]);
    }
    // One's own mention is listed among one's mentions, but notifies nobody.
    expect(await notificationsOf(writer)).toEqual([]);
    expect((await api(`/users/${writer.id}/mentions`)).json.map((x: { id: number }) => x.id)).toEqual([t.id]);
    expect((await api(`/users/${a.id}/mentions`, { token: a.token })).json[0]).toMatchObject({
      id: t.id,
      content,
      liked: false,
    });
  });

  it("only the first 10 distinct existing users named count", async () => {
    const writer = await newUser("n10w");
    const named = await Promise.all(Array.from({ length: 12 }, () => newUser("n10")));
    // A name of nobody first does not take a place; a name repeated counts once.
    const full = `@zz_nobody_here @${named[0]?.username} ${named.map((u) => `@${u.username}`).join(" ")}`;
    expect(full.length).toBeLessThanOrEqual(280);
    const t = await post(writer, full);
    const mentioned = await sql("SELECT user_id FROM mentions WHERE tweet_id = $1", [t.id]);
    expect(mentioned).toHaveLength(10);
    const notified = await sql("SELECT recipient_id FROM notifications WHERE tweet_id = $1 AND type = 'mention'", [
      t.id,
    ]);
    expect(notified.map((r) => r.recipient_id).sort()).toEqual(mentioned.map((r) => r.user_id).sort());
    const firstTen = named.slice(0, 10).map((u) => u.id);
    expect(mentioned.map((r) => r.user_id).sort()).toEqual([...firstTen].sort());
  });

  it("an idempotent retry of POST /tweets notifies once", async () => {
    const writer = await newUser("nid");
    const target = await newUser("nit");
    for (let i = 0; i < 2; i++) {
      const res = await api("/tweets", {
        method: "POST",
        token: writer.token,
        headers: { "Idempotency-Key": "mention-once" },
        body: { content: `hi @${target.username}` },
      });
      expect(res.status).toBe(201);
    }
    expect(await notificationsOf(target)).toHaveLength(1);
  });

  it("a repost notifies the tweet's author once; unrepost and deleting the tweet remove it; none for one's own", async () => {
    const author = await newUser("nra");
    const fan = await newUser("nrf");
    const t = await newTweet(author);
    const repost = (u: TestUser) =>
      api(`/users/${u.id}/reposts`, { method: "POST", token: u.token, body: { tweet_id: t.id } });
    expect((await repost(fan)).status).toBe(201);
    expect((await repost(fan)).status).toBe(200);
    expect((await repost(author)).status).toBe(201);
    const list = await notificationsOf(author);
    expect(list.map((n) => [n.type, n.actor.id, n.tweet?.id])).toEqual([["repost", fan.id, t.id]]);
    expect(await notificationsOf(fan)).toEqual([]);
    expect((await api(`/users/${fan.id}/reposts/${t.id}`, { method: "DELETE", token: fan.token })).status).toBe(204);
    expect(await notificationsOf(author)).toEqual([]);
    expect((await repost(fan)).status).toBe(201);
    expect((await notificationsOf(author)).map((n) => n.type)).toEqual(["repost"]);
    expect((await api(`/tweets/${t.id}`, { method: "DELETE", token: author.token })).status).toBe(204);
    expect(await notificationsOf(author)).toEqual([]);
  });

  it("a quote notifies the quoted tweet's author (tweet: the quote), reply before quote before mention; deleting the quote removes it", async () => {
    const [author, other, writer] = [await newUser("nqa"), await newUser("nqo"), await newUser("nqw")];
    const t = await newTweet(author);
    const byOther = await newTweet(other);
    // A quote that mentions the quoted author: one notification, a quote.
    const q = await post(writer, `look @${author.username}`, { quoted_tweet_id: t.id });
    expect((await notificationsOf(author)).map((n) => [n.type, n.actor.id, n.tweet?.id])).toEqual([
      ["quote", writer.id, q.id],
    ]);
    // A reply to the other's tweet that quotes the author's and mentions both: the other gets a reply,
    // the author a quote, each one.
    const rq = await post(writer, `@${author.username} @${other.username}`, {
      in_reply_to_tweet_id: byOther.id,
      quoted_tweet_id: t.id,
    });
    expect((await notificationsOf(author)).map((n) => [n.type, n.tweet?.id])).toEqual([
      ["quote", rq.id],
      ["quote", q.id],
    ]);
    expect((await notificationsOf(other)).map((n) => [n.type, n.tweet?.id])).toEqual([["reply", rq.id]]);
    // Quoting one's own tweet notifies nobody.
    await post(author, "me again", { quoted_tweet_id: t.id });
    expect(await notificationsOf(author)).toHaveLength(2);
    expect((await api(`/tweets/${q.id}`, { method: "DELETE", token: writer.token })).status).toBe(204);
    expect((await notificationsOf(author)).map((n) => n.tweet?.id)).toEqual([rq.id]);
  });
});

describe("GET /users/{id}/notifications", () => {
  it("newest first, paged with Link; ?types= keeps only those; a bad type is 400", async () => {
    const me = await newUser("npg");
    const others = await Promise.all(Array.from({ length: 3 }, () => newUser("npo")));
    const t = await newTweet(me);
    for (const o of others) {
      expect((await like(o, t.id)).status).toBe(201);
      expect((await follow(o, me)).status).toBe(201);
      await reply(o, t.id);
    }
    const all = await notificationsOf(me);
    expect(all).toHaveLength(9);
    const order = [...all].sort((x, y) => y.created_at.localeCompare(x.created_at) || y.id - x.id);
    expect(all.map((n) => n.id)).toEqual(order.map((n) => n.id));
    const paged = await walk(`/users/${me.id}/notifications?limit=2`, me.token);
    expect(paged.pages).toBe(5);
    expect(paged.items.map((n) => n.id)).toEqual(all.map((n) => n.id));
    const some = await walk(`/users/${me.id}/notifications?types=follow,reply&limit=2`, me.token);
    expect(some.items.map((n) => n.id)).toEqual(all.filter((n) => n.type !== "like").map((n) => n.id));
    expect((await notificationsOf(me, "?types=like")).map((n) => n.type)).toEqual(["like", "like", "like"]);
    expect(await notificationsOf(me, "?types=mention,quote")).toEqual([]);
    expect(await notificationsOf(me, "?types=like,repost,quote,reply,mention,follow")).toHaveLength(9);
    for (const q of ["?types=", "?types=likes", "?types=like,", "?types=,like", "?types=Like", "?limit=0"])
      expectProblem(await api(`/users/${me.id}/notifications${q}`, { token: me.token }), 400);
  });

  it("self only: 401 without a token, 403 for another user's, 404 for a missing user, 400 for a bad id", async () => {
    const me = await newUser("nself");
    const other = await newUser("nself2");
    for (const path of ["", "/unread_count", "/marker"]) {
      expectProblem(await api(`/users/${me.id}/notifications${path}`), 401);
      expectProblem(await api(`/users/${other.id}/notifications${path}`, { token: me.token }), 403);
      expectProblem(await api(`/users/2147483647/notifications${path}`, { token: me.token }), 404);
      expectProblem(await api(`/users/0${me.id}/notifications${path}`, { token: me.token }), 400);
    }
    expectProblem(await putMarker(me, { last_read_id: 0 }), 400);
    expectProblem(
      await api(`/users/${other.id}/notifications/marker`, {
        method: "PUT",
        token: me.token,
        body: { last_read_id: 5 },
      }),
      403,
    );
    expectProblem(await api(`/users/2147483647/mentions`), 404);
  });
});

describe("unread_count and the marker", () => {
  it("counts the notifications above the marker; the marker moves only forward", async () => {
    const me = await newUser("nun");
    const fans = await Promise.all(Array.from({ length: 3 }, () => newUser("nuf")));
    const t = await newTweet(me);
    expect((await api(`/users/${me.id}/notifications/marker`, { token: me.token })).json).toEqual({
      last_read_id: null,
    });
    for (const f of fans) expect((await like(f, t.id)).status).toBe(201);
    expect(await unread(me)).toBe(3);
    const [newest, middle] = await notificationsOf(me);
    if (!newest || !middle) throw new Error("notifications");
    const put = await putMarker(me, { last_read_id: middle.id });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ last_read_id: middle.id });
    expect(await unread(me)).toBe(1);
    // A lower id leaves it (still 200, with the current one).
    const back = await putMarker(me, { last_read_id: 1 });
    expect(back.status).toBe(200);
    expect(back.json).toEqual({ last_read_id: middle.id });
    expect((await putMarker(me, { last_read_id: newest.id })).json).toEqual({ last_read_id: newest.id });
    expect(await unread(me)).toBe(0);
    expect((await api(`/users/${me.id}/notifications/marker`, { token: me.token })).json).toEqual({
      last_read_id: newest.id,
    });
    for (const body of [{}, { last_read_id: 0 }, { last_read_id: -1 }, { last_read_id: "5" }, { last_read_id: 1.5 }])
      expectProblem(await putMarker(me, body), 400);
    expectProblem(await api(`/users/${me.id}/notifications/marker`, { method: "PUT", body: { last_read_id: 5 } }), 401);
  });

  it("stops counting at 1000", async () => {
    const me = await newUser("ncap");
    const actor = await newUser("ncapa");
    // 1003 notifications, written directly (no action makes that many quickly): one per tweet.
    const tweets = await sql<{ id: number }>(
      `WITH t AS (INSERT INTO tweets (user_id, content) SELECT $1, 'filler ' || g FROM generate_series(1, 1003) AS g
                  RETURNING id),
            c AS (UPDATE users SET tweet_count = tweet_count + 1003 WHERE id = $1)
       SELECT id FROM t`,
      [actor.id],
    );
    await sql(
      `INSERT INTO notifications (recipient_id, actor_id, type, tweet_id) SELECT $1, $2, 'like', unnest($3::int[])`,
      [me.id, actor.id, tweets.map((r) => r.id)],
    );
    expect(await unread(me)).toBe(1000);
    expect(await notificationsOf(me, "?limit=100")).toHaveLength(100);
  });

  it("reads a bounded number of rows: with hidden notifications (a muted actor) it counts the shown ones within 4,000 rows past the marker", async () => {
    const [me, muted, other] = [await newUser("nch"), await newUser("nchm"), await newUser("ncho")];
    // Oldest first: 2 shown, 4,000 by the muted actor, then 5 shown (a notification per tweet, written directly).
    const rows = async (actor: TestUser, n: number) => {
      const ids = await sql<{ id: number }>(
        `WITH t AS (INSERT INTO tweets (user_id, content) SELECT $1, 'filler ' || g FROM generate_series(1, $2::int) AS g
                    RETURNING id),
              c AS (UPDATE users SET tweet_count = tweet_count + $2::int WHERE id = $1)
         SELECT id FROM t ORDER BY id`,
        [actor.id, n],
      );
      await sql(
        `INSERT INTO notifications (recipient_id, actor_id, type, tweet_id)
         SELECT $1, $2, 'like', id FROM unnest($3::int[]) WITH ORDINALITY AS u(id, o) ORDER BY o`,
        [me.id, actor.id, ids.map((r) => r.id)],
      );
    };
    await rows(other, 2);
    await rows(muted, 4000);
    await rows(other, 5);
    expect(await unread(me)).toBe(1000);
    expect(
      (await api(`/users/${me.id}/muting`, { method: "POST", token: me.token, body: { target_user_id: muted.id } }))
        .status,
    ).toBe(201);
    // The 2 shown rows, then 3,998 hidden ones: the bound; the 5 after them are not reached.
    expect(await unread(me)).toBe(2);
    // With the marker on the 10th hidden row, the 3,990 after it and the 5 shown ones are within reach.
    const [tenth] = await sql<{ id: number }>(
      "SELECT id FROM notifications WHERE recipient_id = $1 AND actor_id = $2 ORDER BY id LIMIT 1 OFFSET 9",
      [me.id, muted.id],
    );
    expect((await putMarker(me, { last_read_id: tenth?.id })).status).toBe(200);
    expect(await unread(me)).toBe(5);
  });
});

describe("blocks and mutes suppress notifications", () => {
  it("from a muted or blocked user: none created, those there hidden and uncounted, back once it ends", async () => {
    const me = await newUser("nbm");
    const muted = await newUser("nbmm");
    const blocked = await newUser("nbmb");
    const t = await newTweet(me);
    expect((await like(muted, t.id)).status).toBe(201);
    expect((await like(blocked, t.id)).status).toBe(201);
    expect(await unread(me)).toBe(2);
    // Blocks and mutes have their own endpoints (#21): written directly here.
    await sql("INSERT INTO mutes (muter_id, muted_id) VALUES ($1, $2)", [me.id, muted.id]);
    await sql("INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)", [blocked.id, me.id]);
    expect(await notificationsOf(me)).toEqual([]);
    expect(await unread(me)).toBe(0);
    // While muted: a new action notifies nothing, even after the mute ends.
    await post(muted, `hello @${me.username}`);
    expect((await follow(muted, me)).status).toBe(201);
    await sql("DELETE FROM mutes WHERE muter_id = $1", [me.id]);
    await sql("DELETE FROM blocks WHERE blocker_id = $1", [blocked.id]);
    const back = await notificationsOf(me);
    expect(back.map((n) => [n.type, n.actor.id])).toEqual([
      ["like", blocked.id],
      ["like", muted.id],
    ]);
    expect(await unread(me)).toBe(2);
  });

  it("a page reads a bounded number of rows: many hidden notifications give short pages whose Link leads on, never an early end", async () => {
    const [me, muted, other] = [await newUser("nbs"), await newUser("nbsm"), await newUser("nbso")];
    expect((await follow(other, me)).status).toBe(201);
    for (let i = 0; i < 12; i++) await post(muted, `hello ${i} @${me.username}`);
    expect(
      (await api(`/users/${me.id}/muting`, { method: "POST", token: me.token, body: { target_user_id: muted.id } }))
        .status,
    ).toBe(201);
    // limit 1: a scan reads at most FILTERED_SCAN_FACTOR (4) rows; the 12 hidden mentions come first.
    const first = await api(`/users/${me.id}/notifications?limit=1`, { token: me.token });
    expect(first.status).toBe(200);
    expect(first.json).toEqual([]);
    expect(first.headers.get("link")).toMatch(/rel="next"/);
    const all = await walk(`/users/${me.id}/notifications?limit=1`, me.token);
    expect(all.items.map((n: { type: string; actor: { id: number } }) => [n.type, n.actor.id])).toEqual([
      ["follow", other.id],
    ]);
    expect(all.pages).toBeGreaterThan(3);
    // ?types= scans each type's range under the same bound.
    const mentions = await api(`/users/${me.id}/notifications?limit=1&types=mention,follow`, { token: me.token });
    expect(mentions.json).toEqual([]);
    expect(mentions.headers.get("link")).toMatch(/rel="next"/);
    const typed = await walk(`/users/${me.id}/notifications?limit=1&types=mention,follow`, me.token);
    expect(typed.items.map((n: { type: string }) => n.type)).toEqual(["follow"]);
  });
});
