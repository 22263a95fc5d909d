import { describe, expect, it } from "vitest";
import {
  api,
  countMismatches,
  expectProblem,
  follow,
  like,
  NO_MISMATCHES,
  newTweet,
  newUser,
  reply,
  sql,
  walk,
} from "./helpers";

describe("POST /users/{id}/following", () => {
  it("follows: 201 with the target User (counts, following), 200 when repeated, the follow keeps its first time", async () => {
    const a = await newUser("fa");
    const b = await newUser("fb");
    const first = await follow(a, b);
    expect(first.status, first.text).toBe(201);
    expect(first.json).toEqual({
      id: b.id,
      username: b.username,
      created_at: expect.any(String),
      followers_count: 1,
      following_count: 0,
      tweet_count: 0,
      following: true,
      followed_by: false,
      blocking: false,
      muting: false,
    });
    const [{ created_at: before }] = await sql("SELECT created_at FROM follows WHERE follower_id = $1", [a.id]);
    const again = await follow(a, b);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: b.id, followers_count: 1, following: true });
    const rows = await sql("SELECT created_at FROM follows WHERE follower_id = $1", [a.id]);
    expect(rows).toEqual([{ created_at: before }]);
    expect((await api(`/users/${a.id}`)).json).toMatchObject({ following_count: 1, followers_count: 0 });
    // The other side sees it too.
    expect((await api(`/users/${a.id}`, { token: b.token })).json).toMatchObject({
      following: false,
      followed_by: true,
    });
  });

  it("400 for following yourself and for bad target ids; 404 for a missing target; nothing written", async () => {
    const a = await newUser("fbad");
    const self = expectProblem(await follow(a, a), 400);
    expect(self.errors?.[0]?.path).toBe("target_user_id");
    for (const target of [0, -1, 1.5, "2", null, 2147483648]) {
      const res = await api(`/users/${a.id}/following`, {
        method: "POST",
        token: a.token,
        body: { target_user_id: target },
      });
      expect(expectProblem(res, 400).errors?.[0]?.path, JSON.stringify(target)).toBe("target_user_id");
    }
    expectProblem(await api(`/users/${a.id}/following`, { method: "POST", token: a.token, body: {} }), 400);
    expectProblem(await follow(a, { id: 2147483647 }), 404);
    expect(await sql("SELECT 1 FROM follows WHERE follower_id = $1", [a.id])).toEqual([]);
    expect((await api(`/users/${a.id}`)).json.following_count).toBe(0);
  });

  it("401 without or with a revoked token, 403 as someone else, 415 for a non-JSON body", async () => {
    const a = await newUser("fauth");
    const b = await newUser("fauth2");
    expectProblem(await api(`/users/${a.id}/following`, { method: "POST", body: { target_user_id: b.id } }), 401);
    expectProblem(await follow({ ...b, id: a.id }, b), 403);
    expectProblem(
      await api(`/users/${a.id}/following`, {
        method: "POST",
        token: a.token,
        body: `{"target_user_id": ${b.id}}`,
        headers: { "Content-Type": "text/plain" },
      }),
      415,
    );
    await api(`/users/${a.id}`, { method: "PATCH", token: a.token, body: { password: "another long password" } });
    expectProblem(await follow(a, b), 401);
    expect(await sql("SELECT 1 FROM follows WHERE follower_id = $1", [a.id])).toEqual([]);
  });
});

describe("DELETE /users/{id}/following/{target_user_id}", () => {
  it("unfollows: 204, again 204 (idempotent), counts drop", async () => {
    const a = await newUser("ua");
    const b = await newUser("ub");
    expect((await follow(a, b)).status).toBe(201);
    const path = `/users/${a.id}/following/${b.id}`;
    expect((await api(path, { method: "DELETE", token: a.token })).status).toBe(204);
    expect((await api(path, { method: "DELETE", token: a.token })).status).toBe(204);
    expect((await api(`/users/${b.id}`)).json.followers_count).toBe(0);
    expect((await api(`/users/${a.id}`)).json.following_count).toBe(0);
    expect((await api(`/users/${b.id}`, { token: a.token })).json.following).toBe(false);
  });

  it("401, 403 as someone else, 404 for a missing target, 400 for bad ids", async () => {
    const a = await newUser("ufail");
    const b = await newUser("ufail2");
    expectProblem(await api(`/users/${a.id}/following/${b.id}`, { method: "DELETE" }), 401);
    expectProblem(await api(`/users/${a.id}/following/${b.id}`, { method: "DELETE", token: b.token }), 403);
    expectProblem(await api(`/users/${a.id}/following/2147483647`, { method: "DELETE", token: a.token }), 404);
    for (const bad of ["0", "x", "2147483648"])
      expectProblem(await api(`/users/${a.id}/following/${bad}`, { method: "DELETE", token: a.token }), 400);
  });
});

describe("GET /users/{id}/followers and /following", () => {
  it("most recent follow first, paged; with a token each user says following / followed_by", async () => {
    const star = await newUser("star");
    const fans = [];
    for (let i = 0; i < 5; i++) {
      const fan = await newUser("fan");
      expect((await follow(fan, star)).status).toBe(201);
      fans.push(fan);
    }
    const { items, pages } = await walk(`/users/${star.id}/followers?limit=2`);
    expect(pages).toBe(3);
    expect(items.map((u) => u.id)).toEqual(fans.map((f) => f.id).reverse());
    expect(items[0]).not.toHaveProperty("following");
    const viewed = await api(`/users/${star.id}/followers?limit=1`, { token: fans[4]?.token });
    expect(viewed.json[0]).toMatchObject({ id: fans[4]?.id, following: false, followed_by: false });
    const following = await walk(`/users/${fans[0]?.id}/following`);
    expect(following.items.map((u) => u.id)).toEqual([star.id]);
    expectProblem(await api("/users/2147483647/followers"), 404);
    expectProblem(await api("/users/2147483647/following"), 404);
  });

  it("breaks ties of equal follow times by user id, descending, across pages", async () => {
    const star = await newUser("tie");
    const fans = [];
    for (let i = 0; i < 4; i++) {
      const fan = await newUser("tiefan");
      await follow(fan, star);
      fans.push(fan);
    }
    await sql("UPDATE follows SET created_at = '2026-10-01T00:00:00.000Z' WHERE followee_id = $1", [star.id]);
    const { items } = await walk(`/users/${star.id}/followers?limit=1`);
    expect(items.map((u) => u.id)).toEqual(fans.map((f) => f.id).sort((x, y) => y - x));
  });
});

describe("GET /users/by/username/{username}", () => {
  it("finds a user case-insensitively; 400 for a name that cannot exist; 404 for one that does not", async () => {
    const u = await newUser("ByName");
    const res = await api(`/users/by/username/${u.username.toLowerCase()}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: u.id, username: u.username });
    expect((await api(`/users/by/username/${u.username.toUpperCase()}`)).json.id).toBe(u.id);
    for (const bad of ["ab", "has-dash", "x".repeat(31), "%20"])
      expectProblem(await api(`/users/by/username/${bad}`), 400);
    expectProblem(await api("/users/by/username/nobody_here_at_all"), 404);
  });
});

describe("deleting an account", () => {
  it("removes its follows both ways, its likes, tweets and replies, and fixes every count", async () => {
    const gone = await newUser("fgone");
    const friend = await newUser("ffriend");
    const fan = await newUser("ffan");
    const post = await newTweet(friend);
    await follow(gone, friend);
    await follow(fan, gone);
    await follow(friend, gone);
    await like(gone, post.id);
    await reply(gone, post.id);
    await newTweet(gone);
    expect((await api(`/tweets/${post.id}`)).json).toMatchObject({ like_count: 1, reply_count: 1 });
    expect((await api(`/users/${gone.id}`, { method: "DELETE", token: gone.token })).status).toBe(204);
    expect((await api(`/users/${friend.id}`)).json).toMatchObject({ followers_count: 0, following_count: 0 });
    expect((await api(`/users/${fan.id}`)).json).toMatchObject({ following_count: 0 });
    expect((await api(`/tweets/${post.id}`)).json).toMatchObject({ like_count: 0, reply_count: 0 });
    expect(await sql("SELECT 1 FROM follows WHERE follower_id = $1 OR followee_id = $1", [gone.id])).toEqual([]);
    expect(await countMismatches({ users: [gone.id, friend.id, fan.id], tweets: [post.id] })).toEqual(NO_MISMATCHES);
  });
});

describe("counts under concurrency", () => {
  it("many users following, unfollowing and following back one account at once: counts equal rows", async () => {
    const star = await newUser("cstar");
    const fans = await Promise.all(Array.from({ length: 12 }, () => newUser("cfan")));
    await Promise.all(fans.map((f) => follow(f, star)));
    await Promise.all([
      ...fans.slice(0, 6).map((f) => api(`/users/${f.id}/following/${star.id}`, { method: "DELETE", token: f.token })),
      ...fans.map((f) => follow({ ...star }, f)),
    ]);
    const [row] = await sql(
      `SELECT u.followers_count, u.following_count,
              (SELECT count(*)::int FROM follows WHERE followee_id = u.id) AS followers,
              (SELECT count(*)::int FROM follows WHERE follower_id = u.id) AS following
       FROM users u WHERE u.id = $1`,
      [star.id],
    );
    expect(row).toEqual({ followers_count: 6, following_count: 12, followers: 6, following: 12 });
  });
});
