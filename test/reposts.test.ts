import { describe, expect, it } from "vitest";
import {
  api,
  cursorOf,
  eventually,
  expectProblem,
  follow,
  newTweet,
  newUser,
  nextLink,
  sql,
  type TestUser,
  walk,
} from "./helpers";

const repost = (u: TestUser, tweetId: number, as = u) =>
  api(`/users/${as.id}/reposts`, { method: "POST", token: u.token, body: { tweet_id: tweetId } });
const unrepost = (u: TestUser, tweetId: number) =>
  api(`/users/${u.id}/reposts/${tweetId}`, { method: "DELETE", token: u.token });
const timeline = (u: TestUser, query = "") => api(`/users/${u.id}/timeline${query}`, { token: u.token });
type Entry = { id: number; reposted_by: { id: number; username: string } | null };
const entries = (res: { json: Entry[] }) => res.json.map((t) => [t.id, t.reposted_by?.id ?? null]);
const block = (owner: TestUser, target: TestUser) =>
  sql("INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)", [owner.id, target.id]);

describe("POST /users/{id}/reposts", () => {
  it("201 with the Tweet when newly reposted, 200 when already; the repost keeps its first time", async () => {
    const u = await newUser("rp");
    const author = await newUser("rpau");
    const t = await newTweet(author);
    const first = await repost(u, t.id);
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ id: t.id, user_id: author.id, repost_count: 1, reposted: true, liked: false });
    const [before] = await sql("SELECT created_at FROM reposts WHERE user_id = $1 AND tweet_id = $2", [u.id, t.id]);
    const again = await repost(u, t.id);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: t.id, repost_count: 1, reposted: true });
    const [after] = await sql("SELECT created_at FROM reposts WHERE user_id = $1 AND tweet_id = $2", [u.id, t.id]);
    expect(after.created_at).toEqual(before.created_at);
    // `reposted` is the caller's: true for them, false for another caller, absent without a token.
    expect((await api(`/tweets/${t.id}`, { token: u.token })).json).toMatchObject({ repost_count: 1, reposted: true });
    expect((await api(`/tweets/${t.id}`, { token: author.token })).json.reposted).toBe(false);
    expect((await api(`/tweets/${t.id}`)).json).not.toHaveProperty("reposted");
  });

  it("one's own tweets can be reposted", async () => {
    const u = await newUser("rpself");
    const t = await newTweet(u);
    expect((await repost(u, t.id)).status).toBe(201);
    expect((await api(`/tweets/${t.id}`)).json.repost_count).toBe(1);
  });

  it("400 for a bad body, 401 without a token, 403 as someone else, 404 for a missing tweet; nothing written", async () => {
    const u = await newUser("rpfail");
    const other = await newUser("rpoth");
    const t = await newTweet(other);
    for (const body of [{}, { tweet_id: "1" }, { tweet_id: 0 }, { tweet_id: 1.5 }, { tweet_id: 2147483648 }]) {
      expectProblem(await api(`/users/${u.id}/reposts`, { method: "POST", token: u.token, body }), 400);
    }
    expectProblem(await api(`/users/${u.id}/reposts`, { method: "POST", body: { tweet_id: t.id } }), 401);
    expectProblem(await repost(u, t.id, other), 403);
    expectProblem(await repost(u, 2147483647), 404);
    expectProblem(
      await api(`/users/${u.id}/reposts`, {
        method: "POST",
        token: u.token,
        body: "tweet_id=1",
        headers: { "Content-Type": "text/plain" },
      }),
      415,
    );
    expect(await sql("SELECT 1 FROM reposts WHERE user_id IN ($1, $2)", [u.id, other.id])).toHaveLength(0);
    expect((await api(`/tweets/${t.id}`)).json.repost_count).toBe(0);
  });

  it("403 while a block stands between the two users, either way; nothing written", async () => {
    const u = await newUser("rpbl");
    const blocker = await newUser("rpblr");
    const blocked = await newUser("rpbld");
    const byBlocker = await newTweet(blocker);
    const byBlocked = await newTweet(blocked);
    await block(blocker, u);
    await block(u, blocked);
    expectProblem(await repost(u, byBlocker.id), 403, /block/);
    expectProblem(await repost(u, byBlocked.id), 403, /block/);
    expect(await sql("SELECT 1 FROM reposts WHERE user_id = $1", [u.id])).toHaveLength(0);
    expect(await sql("SELECT 1 FROM home_timeline WHERE user_id = $1", [u.id])).toHaveLength(0);
    // 404 comes before the block check: a missing tweet is 404 whoever asks.
    expectProblem(await repost(u, 2147483647), 404);
  });
});

describe("DELETE /users/{id}/reposts/{tweet_id}", () => {
  it("204 whether or not it was reposted, and repost_count drops once", async () => {
    const u = await newUser("unrp");
    const t = await newTweet(u);
    expect((await repost(u, t.id)).status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await unrepost(u, t.id)).status).toBe(204);
    expect((await api(`/tweets/${t.id}`)).json).toMatchObject({ repost_count: 0 });
    expect((await api(`/tweets/${t.id}`, { token: u.token })).json.reposted).toBe(false);
  });

  it("401, 403 and 404 for a missing tweet; 400 for bad ids", async () => {
    const u = await newUser("unrpf");
    const other = await newUser("unrpo");
    const t = await newTweet(other);
    expect((await repost(other, t.id)).status).toBe(201);
    expectProblem(await api(`/users/${u.id}/reposts/${t.id}`, { method: "DELETE" }), 401);
    expectProblem(await api(`/users/${other.id}/reposts/${t.id}`, { method: "DELETE", token: u.token }), 403);
    expectProblem(await unrepost(u, 2147483647), 404);
    expectProblem(await api(`/users/${u.id}/reposts/abc`, { method: "DELETE", token: u.token }), 400);
    expect((await api(`/tweets/${t.id}`)).json.repost_count).toBe(1);
  });
});

describe("GET /tweets/{id}/reposted_by", () => {
  it("most recent repost first, paged; 404 for a missing tweet", async () => {
    const author = await newUser("rbau");
    const t = await newTweet(author);
    const users = [await newUser("rb1"), await newUser("rb2"), await newUser("rb3")];
    for (const u of users) expect((await repost(u, t.id)).status).toBe(201);
    // Equal times for the first two: the user id decides, descending.
    await sql("UPDATE reposts SET created_at = '2026-10-02T00:00:00.000Z' WHERE tweet_id = $1 AND user_id <> $2", [
      t.id,
      users[2]?.id,
    ]);
    const { items, pages } = await walk(`/tweets/${t.id}/reposted_by?limit=1`);
    expect(pages).toBe(3);
    expect(items.map((u) => u.id)).toEqual([users[2]?.id, users[1]?.id, users[0]?.id]);
    expect(items[0]).not.toHaveProperty("password_hash");
    expectProblem(await api("/tweets/2147483647/reposted_by"), 404);
    expectProblem(await api(`/tweets/${t.id}/reposted_by?cursor=${cursorOf(`/tweets/${t.id}/liking_users`, 1)}`), 400);
  });
});

describe("deletions", () => {
  it("deleting a tweet removes its reposts; deleting a user removes their reposts and the counts they held", async () => {
    const author = await newUser("rdau");
    const reposter = await newUser("rdrp");
    const t1 = await newTweet(author);
    const t2 = await newTweet(author);
    expect((await repost(reposter, t1.id)).status).toBe(201);
    expect((await repost(reposter, t2.id)).status).toBe(201);
    expect((await api(`/tweets/${t1.id}`, { method: "DELETE", token: author.token })).status).toBe(204);
    expect(await sql("SELECT 1 FROM reposts WHERE tweet_id = $1", [t1.id])).toHaveLength(0);
    expect((await api(`/users/${reposter.id}`, { method: "DELETE", token: reposter.token })).status).toBe(204);
    expect(await sql("SELECT 1 FROM reposts WHERE user_id = $1", [reposter.id])).toHaveLength(0);
    expect((await api(`/tweets/${t2.id}`)).json.repost_count).toBe(0);
  });
});

describe("reposts in the home timeline", () => {
  it("the caller's own repost is an entry at once, at the repost's time, with reposted_by; undoing it removes it", async () => {
    const u = await newUser("tlrp");
    const author = await newUser("tlrpau");
    const t = await newTweet(author, "worth a repost");
    const mine = await newTweet(u, "my own, older than the repost");
    expect((await repost(u, t.id)).status).toBe(201);
    const res = await timeline(u);
    expect(entries(res)).toEqual([
      [t.id, u.id],
      [mine.id, null],
    ]);
    expect(res.json[0]).toMatchObject({ user_id: author.id, reposted_by: { id: u.id, username: u.username } });
    expect(res.json[1]).toHaveProperty("reposted_by", null);
    expect((await unrepost(u, t.id)).status).toBe(204);
    expect(entries(await timeline(u))).toEqual([[mine.id, null]]);
  });

  it("a followed user's repost arrives within 5 seconds, and its undoing by the next read", async () => {
    const reader = await newUser("tlrd");
    const reposter = await newUser("tlrr");
    const author = await newUser("tlra");
    await follow(reader, reposter);
    const t = await newTweet(author, "spread me");
    expect((await repost(reposter, t.id)).status).toBe(201);
    const { ms } = await eventually(async () => {
      const res = await timeline(reader);
      return res.json.some((e: Entry) => e.id === t.id) ? true : undefined;
    });
    expect(ms).toBeLessThan(5_000);
    expect(entries(await timeline(reader))).toEqual([[t.id, reposter.id]]);
    expect((await unrepost(reposter, t.id)).status).toBe(204);
    expect(entries(await timeline(reader))).toEqual([]);
    // Reposted again: a new entry, at the new repost's time.
    expect((await repost(reposter, t.id)).status).toBe(201);
    await eventually(async () => ((await timeline(reader)).json.length === 1 ? true : undefined));
  });

  it("a tweet appears once, at its first entry: a repost of a followed author's tweet, or a later repost, adds nothing", async () => {
    const reader = await newUser("once");
    const author = await newUser("onceau");
    const r1 = await newUser("oncer1");
    const r2 = await newUser("oncer2");
    const stranger = await newUser("oncest");
    for (const u of [author, r1, r2]) await follow(reader, u);
    const followedTweet = await newTweet(author, "by a followed author");
    const strangerTweet = await newTweet(stranger, "by a stranger");
    await eventually(async () => ((await timeline(reader)).json.length === 1 ? true : undefined));
    for (const [who, what] of [
      [r1, followedTweet],
      [r1, strangerTweet],
      [r2, strangerTweet],
    ] as const)
      expect((await repost(who, what.id)).status).toBe(201);
    // Every entry is delivered (r2's too, though the read leaves it out) ...
    await eventually(async () => {
      const rows = await sql("SELECT 1 FROM home_timeline WHERE user_id = $1 AND reposted_by IS NOT NULL", [reader.id]);
      return rows.length === 3 ? true : undefined;
    });
    // ... and the tweet is there once, at its first entry: the post, and r1's repost of the stranger's tweet.
    expect(entries(await timeline(reader))).toEqual([
      [strangerTweet.id, r1.id],
      [followedTweet.id, null],
    ]);
    // Also across pages.
    const { items } = await walk(`/users/${reader.id}/timeline?limit=1`, reader.token);
    expect(items.map((e) => e.id)).toEqual([strangerTweet.id, followedTweet.id]);
    // The first repost undone: the tweet is at its next entry, r2's repost.
    expect((await unrepost(r1, strangerTweet.id)).status).toBe(204);
    expect(entries(await timeline(reader))).toEqual([
      [strangerTweet.id, r2.id],
      [followedTweet.id, null],
    ]);
  });

  it("the caller's own earlier repost is the first entry: a followed user's later repost of the tweet adds nothing", async () => {
    const reader = await newUser("ownfirst");
    const friend = await newUser("ownfirstf");
    const stranger = await newUser("ownfirsts");
    await follow(reader, friend);
    const t = await newTweet(stranger, "reposted by both");
    expect((await repost(reader, t.id)).status).toBe(201);
    expect((await repost(friend, t.id)).status).toBe(201);
    await eventually(async () => {
      const rows = await sql("SELECT 1 FROM home_timeline WHERE user_id = $1 AND tweet_id = $2", [reader.id, t.id]);
      return rows.length === 1 ? true : undefined;
    });
    expect(entries(await timeline(reader))).toEqual([[t.id, reader.id]]);
    // Undone: the friend's repost is now the first entry.
    expect((await unrepost(reader, t.id)).status).toBe(204);
    expect(entries(await timeline(reader))).toEqual([[t.id, friend.id]]);
  });

  it("an unfollow removes the unfollowed user's reposts by the next read; another followed user's repost of their tweet stays", async () => {
    const reader = await newUser("ufrp");
    const gone = await newUser("ufrpg");
    const kept = await newUser("ufrpk");
    const stranger = await newUser("ufrps");
    await follow(reader, gone);
    await follow(reader, kept);
    const theirs = await newTweet(gone, "by the one unfollowed");
    const other = await newTweet(stranger, "reposted by the one unfollowed");
    await eventually(async () => ((await timeline(reader)).json.length === 1 ? true : undefined));
    expect((await repost(gone, other.id)).status).toBe(201);
    expect((await repost(kept, theirs.id)).status).toBe(201);
    await eventually(async () => {
      const rows = await sql("SELECT 1 FROM home_timeline WHERE user_id = $1 AND reposted_by IS NOT NULL", [reader.id]);
      return rows.length === 2 ? true : undefined;
    });
    expect(entries(await timeline(reader))).toEqual([
      [other.id, gone.id],
      [theirs.id, null],
    ]);
    await api(`/users/${reader.id}/following/${gone.id}`, { method: "DELETE", token: reader.token });
    expect(entries(await timeline(reader))).toEqual([[theirs.id, kept.id]]);
  });

  it("reposts by accounts above the fan-out threshold merge at read time, once per tweet, across pages", async () => {
    const reader = await newUser("crp");
    const celebrity = await newUser("crpc");
    const friend = await newUser("crpf");
    const stranger = await newUser("crps");
    await follow(reader, celebrity);
    await follow(reader, friend);
    await sql("INSERT INTO celebrities (user_id) VALUES ($1)", [celebrity.id]);
    const a = await newTweet(stranger, "a");
    const b = await newTweet(stranger, "b");
    expect((await repost(celebrity, a.id)).status).toBe(201);
    // No fan-out for a celebrity's repost: the entry is merged at read time, at once.
    expect(entries(await timeline(reader))).toEqual([[a.id, celebrity.id]]);
    expect(await sql("SELECT 1 FROM home_timeline WHERE tweet_id = $1 AND user_id = $2", [a.id, reader.id])).toEqual(
      [],
    );
    // A later repost by a fanned-out friend adds nothing; an earlier one by the friend wins over the celebrity's.
    expect((await repost(friend, a.id)).status).toBe(201);
    expect((await repost(friend, b.id)).status).toBe(201);
    await eventually(async () => {
      const rows = await sql("SELECT 1 FROM home_timeline WHERE user_id = $1 AND reposted_by = $2", [
        reader.id,
        friend.id,
      ]);
      return rows.length === 2 ? true : undefined;
    });
    expect((await repost(celebrity, b.id)).status).toBe(201);
    const expected = [
      [b.id, friend.id],
      [a.id, celebrity.id],
    ];
    expect(entries(await timeline(reader))).toEqual(expected);
    const seen: (number | null)[][] = [];
    let url: string | undefined = `/users/${reader.id}/timeline?limit=1`;
    while (url) {
      const res = await api(url, { token: reader.token });
      seen.push(...entries(res));
      url = nextLink(res);
    }
    expect(seen).toEqual(expected);
  });
});
