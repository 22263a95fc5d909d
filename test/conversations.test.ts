import { describe, expect, it } from "vitest";
import { api, expectProblem, newTweet, newUser, reply, sql, walk } from "./helpers";

describe("replies (POST /tweets with in_reply_to_tweet_id)", () => {
  it("a reply points to its parent and to the conversation's first tweet; reply_count counts direct replies", async () => {
    const a = await newUser("ca");
    const b = await newUser("cb");
    const root = await newTweet(a, "root of the thread");
    expect(root).toMatchObject({ in_reply_to_tweet_id: null, conversation_id: root.id, reply_count: 0 });
    const r1 = await reply(b, root.id);
    const r2 = await reply(a, r1.id);
    expect(r1).toMatchObject({ in_reply_to_tweet_id: root.id, conversation_id: root.id });
    expect(r2).toMatchObject({ in_reply_to_tweet_id: r1.id, conversation_id: root.id });
    expect((await api(`/tweets/${root.id}`)).json.reply_count).toBe(1);
    expect((await api(`/tweets/${r1.id}`)).json.reply_count).toBe(1);
    expect((await api(`/users/${b.id}`)).json.tweet_count).toBe(1);
  });

  it("404 when the replied-to tweet does not exist, 400 for a bad id; nothing is written", async () => {
    const a = await newUser("c404");
    const res = await api("/tweets", {
      method: "POST",
      token: a.token,
      body: { content: "to nowhere", in_reply_to_tweet_id: 2147483647 },
    });
    expectProblem(res, 404, /2147483647/);
    for (const bad of [0, -5, "1", 1.5, 2147483648]) {
      const r = await api("/tweets", {
        method: "POST",
        token: a.token,
        body: { content: "x", in_reply_to_tweet_id: bad },
      });
      expect(expectProblem(r, 400).errors?.[0]?.path).toBe("in_reply_to_tweet_id");
    }
    expect(await sql("SELECT 1 FROM tweets WHERE user_id = $1", [a.id])).toEqual([]);
    expect((await api(`/users/${a.id}`)).json.tweet_count).toBe(0);
  });

  it("a deleted tweet's replies stay, their ids unchanged; the parent's reply_count drops with a deleted reply", async () => {
    const a = await newUser("cdel");
    const root = await newTweet(a);
    const child = await reply(a, root.id);
    const grandchild = await reply(a, child.id);
    expect((await api(`/tweets/${child.id}`, { method: "DELETE", token: a.token })).status).toBe(204);
    expect((await api(`/tweets/${root.id}`)).json.reply_count).toBe(0);
    expect((await api(`/tweets/${grandchild.id}`)).json).toMatchObject({
      in_reply_to_tweet_id: child.id,
      conversation_id: root.id,
    });
    // Replying to a deleted tweet is replying to nothing.
    expectProblem(
      await api("/tweets", {
        method: "POST",
        token: a.token,
        body: { content: "late", in_reply_to_tweet_id: child.id },
      }),
      404,
    );
  });
});

describe("GET /tweets/{id}/replies", () => {
  it("the direct replies, oldest first, paged, ties broken by id ascending", async () => {
    const a = await newUser("rl");
    const root = await newTweet(a);
    const direct = [];
    for (let i = 0; i < 5; i++) direct.push(await reply(a, root.id, `direct ${i}`));
    await reply(a, direct[0]?.id ?? 0, "not direct");
    const { items, pages } = await walk(`/tweets/${root.id}/replies?limit=2`);
    expect(pages).toBe(3);
    expect(items.map((t) => t.id)).toEqual(direct.map((t) => t.id));
    await sql("UPDATE tweets SET created_at = '2026-10-03T00:00:00.000Z' WHERE in_reply_to_tweet_id = $1", [root.id]);
    const tied = await walk(`/tweets/${root.id}/replies?limit=1`);
    expect(tied.items.map((t) => t.id)).toEqual(direct.map((t) => t.id).sort((x, y) => x - y));
    expectProblem(await api("/tweets/2147483647/replies"), 404);
    expect((await api(`/tweets/${direct[4]?.id}/replies`)).json).toEqual([]);
  });
});

describe("GET /tweets/{id}/context", () => {
  it("ancestors root side first; descendants depth-first, each tweet's replies oldest first", async () => {
    const a = await newUser("ctx");
    const root = await newTweet(a, "root");
    const x = await reply(a, root.id, "x");
    const y = await reply(a, root.id, "y");
    const x1 = await reply(a, x.id, "x1");
    const x2 = await reply(a, x.id, "x2");
    const x1a = await reply(a, x1.id, "x1a");
    const y1 = await reply(a, y.id, "y1");
    const ofRoot = await api(`/tweets/${root.id}/context`);
    expect(ofRoot.status).toBe(200);
    expect(ofRoot.json.ancestors).toEqual([]);
    expect(ofRoot.json.descendants.map((t: { id: number }) => t.id)).toEqual([x.id, x1.id, x1a.id, x2.id, y.id, y1.id]);
    const ofX1a = await api(`/tweets/${x1a.id}/context`, { token: a.token });
    expect(ofX1a.json.ancestors.map((t: { id: number }) => t.id)).toEqual([root.id, x.id, x1.id]);
    expect(ofX1a.json.ancestors[0]).toMatchObject({ liked: false, reply_count: 2 });
    expect(ofX1a.json.descendants).toEqual([]);
    expectProblem(await api("/tweets/2147483647/context"), 404);
  });

  it("ancestors stop at a deleted tweet: a reply whose parent was deleted has none", async () => {
    const a = await newUser("gap");
    const root = await newTweet(a);
    const mid = await reply(a, root.id);
    const leaf = await reply(a, mid.id);
    const below = await reply(a, leaf.id);
    await api(`/tweets/${mid.id}`, { method: "DELETE", token: a.token });
    expect((await api(`/tweets/${leaf.id}/context`)).json.ancestors).toEqual([]);
    expect((await api(`/tweets/${below.id}/context`)).json.ancestors.map((t: { id: number }) => t.id)).toEqual([
      leaf.id,
    ]);
    expect((await api(`/tweets/${root.id}/context`)).json.descendants).toEqual([]);
  });

  it("keeps the nearest 100 ancestors, and at most 200 descendants and 20 levels", async () => {
    const a = await newUser("deep");
    // A chain of 130 replies and a wide tree, written straight to the tables (counts kept exact).
    const chain = (
      await sql<{ id: number }>(
        `WITH ids AS (SELECT g AS n, nextval(pg_get_serial_sequence('tweets', 'id'))::int AS id
                      FROM generate_series(0, 130) g),
              ins AS (INSERT INTO tweets (id, user_id, content, in_reply_to_tweet_id, conversation_id, created_at)
                      OVERRIDING SYSTEM VALUE
                      SELECT i.id, $1, 'chain ' || i.n, p.id, CASE WHEN i.n > 0 THEN r.id END, now() + i.n * interval '1 ms'
                      FROM ids i LEFT JOIN ids p ON p.n = i.n - 1 CROSS JOIN (SELECT id FROM ids WHERE n = 0) r)
         SELECT id FROM ids ORDER BY n`,
        [a.id],
      )
    ).map((r) => r.id);
    const root = chain[0] as number;
    const leaf = chain.at(-1) as number;
    const up = await api(`/tweets/${leaf}/context`);
    expect(up.json.ancestors).toHaveLength(100);
    expect(up.json.ancestors.map((t: { id: number }) => t.id)).toEqual(chain.slice(-101, -1));
    const down = await api(`/tweets/${root}/context`);
    expect(down.json.descendants).toHaveLength(20);
    expect(down.json.descendants.map((t: { id: number }) => t.id)).toEqual(chain.slice(1, 21));
    // A wide tree: 250 direct replies to one tweet; the first 200, oldest first.
    const [{ hub }] = await sql("INSERT INTO tweets (user_id, content) VALUES ($1, 'hub') RETURNING id AS hub", [a.id]);
    const wide = await sql(
      `INSERT INTO tweets (user_id, content, in_reply_to_tweet_id, conversation_id, created_at)
       SELECT $1, 'spoke ' || g, $2, $2, now() + g * interval '1 millisecond' FROM generate_series(1, 250) g RETURNING id`,
      [a.id, hub],
    );
    const around = await api(`/tweets/${hub}/context`);
    expect(around.json.descendants.map((t: { id: number }) => t.id)).toEqual(wide.slice(0, 200).map((r) => r.id));
    await sql(
      `UPDATE tweets SET reply_count = (SELECT count(*) FROM tweets r WHERE r.in_reply_to_tweet_id = tweets.id)
       WHERE user_id = $1`,
      [a.id],
    );
    await sql("UPDATE users SET tweet_count = (SELECT count(*) FROM tweets WHERE user_id = $1) WHERE id = $1", [a.id]);
  });
});
