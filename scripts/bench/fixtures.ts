import { type Counts, DEMO_PASSWORD, seed, seedUsername, terminalProgress } from "../../seeds/seed";
import { encodeCursor } from "../../src/db/keyset";
import { migrateUrl, withClient, withDatabase } from "../stack/database";
import type { Stack } from "../stack/stack";

/**
 * The benchmark's data: databases seeded at scale on first use and then reused, and, inside them,
 * the fixtures the scenarios need (users following few, some and many accounts, an account
 * followed by everyone, threads to walk), created once, through the API where the API is what is
 * measured. Every count is derived from the seeded data, so the fixtures fit any scale.
 */
export const BENCH_PASSWORD = "bench password";

/** The bench's scales: the default, and BENCH_SCALE=small, a tenth of it. */
export const SCALES = { default: 1, small: 10 } as const;
/** The big database at a scale: 10,000 users, 1,000,000 tweets, 5,000,000 likes, ~1,000,000 follows (divided). */
export const bigCounts = (divisor: number): Counts => ({
  users: 10_000 / divisor,
  tweets: 1_000_000 / divisor,
  likes: 5_000_000 / divisor,
  follows: 1_000_000 / divisor,
});

export async function ensureDatabase(
  server: string,
  name: string,
  counts: Counts,
  fanoutMaxFollowers: number,
  log: (m: string) => void,
) {
  const exists = await withClient(
    server,
    async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount,
  );
  if (!exists) await withClient(server, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(server, name);
  await migrateUrl(url);
  const started = Date.now();
  const result = await withClient(url, (c) =>
    seed(c, counts, terminalProgress(`seeding ${name} `), fanoutMaxFollowers),
  );
  const [row] = await withClient(
    url,
    async (c) =>
      (
        await c.query(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM tweets)::int AS tweets,
                              (SELECT count(*) FROM likes)::int AS likes, (SELECT count(*) FROM follows)::int AS follows`)
      ).rows,
  );
  log(
    `${name}: ${result.seeded ? `seeded in ${((Date.now() - started) / 1000).toFixed(0)} s` : "reused"} ` +
      `(${row.users} users, ${row.tweets} tweets, ${row.likes} likes, ${row.follows} follows)`,
  );
  return url;
}

export type User = { id: number; username: string; token: string };
export type Fixtures = {
  following10: User;
  following500: User;
  following5000: User;
  author0: User;
  author10k: User;
  followers10k: number;
  /** How many accounts following10, following500 and following5000 follow (fewer at a small scale). */
  following: { few: number; some: number; many: number };
  /** A tweet with 200 descendants (20 replies with 9 replies each), the leaf of a 100-deep chain, a tweet with 1,000 replies. */
  thread: { root: number; deepLeaf: number; hub: number };
  /** Cursors about halfway down each list, for deep pages. */
  deep: Record<string, string>;
  users: number;
  tweets: number;
  rareWord: string;
  fromUsername: string;
  /** The feature ratios' pairs (#19, #20, #21): each an account in scenario A and one in scenario B. */
  features: Features;
};

export type Features = {
  /** A user whose newest tweets (25) all quote another, and one whose (25) quote none. */
  quoter: User;
  unquoted: User;
  /** Users with many notifications (one per seeded tweet: 1,000,000, or a tenth) and with 1,000. */
  notifiedMany: User & { n: number };
  notifiedFew: User & { n: number };
  /** Follows the same accounts as following500, blocks `n` users and is blocked by `n` others. */
  blocker: User & { n: number };
  /** Bookmarks: a tenth of the tweets (100,000 at the default scale), and 100. */
  bookmarksMany: User & { n: number };
  bookmarksFew: User & { n: number };
  /** The share of reposts among the timeline entries of following5000 and following10. */
  repostShare: { many: number; few: number };
  /**
   * Likes and follows with their notification and without (#20): `actor`, new in every run (each
   * write must be new to insert), is muted by the users `muting` names, so liking their tweets or
   * following them runs the same statement with no notification to write (never to a muter).
   */
  notifying: {
    actor: User;
    follow: { notified: number[]; muting: number[] };
    like: { notified: number[]; muting: number[] };
  };
};

async function call(stack: Stack, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400 && res.status !== 409) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function login(stack: Stack, username: string, password: string): Promise<User> {
  const res = await call(stack, "POST", "/auth/login", { username, password });
  return { id: res.user.id, username, token: res.access_token };
}

async function benchUser(stack: Stack, username: string): Promise<User> {
  await call(stack, "POST", "/users", { username, password: BENCH_PASSWORD });
  return login(stack, username, BENCH_PASSWORD);
}

const followingCount = async (url: string, id: number) =>
  withClient(url, async (c) =>
    Number((await c.query("SELECT following_count AS n FROM users WHERE id = $1", [id])).rows[0].n),
  );

/**
 * Makes `user` follow `n` seeded accounts (ids `from`..`users`) through the API, so their newest
 * tweets are backfilled, if not yet; returns how many it follows.
 */
async function followMany(stack: Stack, url: string, user: User, n: number, from: number, users: number) {
  const missing = Math.max(0, n - (await followingCount(url, user.id)));
  for (let id = from, done = 0; done < missing; id++) {
    if (id > users) throw new Error(`followMany: only ${users} seeded users, ${n} to follow from ${from}`);
    if (id === user.id) continue;
    await call(stack, "POST", `/users/${user.id}/following`, { target_user_id: id }, user.token);
    done++;
  }
  return followingCount(url, user.id);
}

export async function ensureFixtures(stack: Stack, url: string, counts: Counts): Promise<Fixtures> {
  const following10 = await benchUser(stack, "bench_following_10");
  const following500 = await benchUser(stack, "bench_following_500");
  const author0 = await benchUser(stack, "bench_author_0");
  // User 1 (the demo user) follows many accounts in the seed (5,000 at the default scale); user 2
  // is followed by everyone else.
  const following5000 = await login(stack, seedUsername(0), DEMO_PASSWORD);
  const author10k = await login(stack, seedUsername(1), DEMO_PASSWORD);
  // Following 10, user 2 among them: user 2 is then followed by every other user.
  const { users } = counts;
  await call(stack, "POST", `/users/${following10.id}/following`, { target_user_id: author10k.id }, following10.token);
  // Followees from a tenth and a fifth of the way up the ids (1,000 and 2,000 at the default
  // scale): past the first accounts, which the seed's skewed choice makes the most followed.
  const fromUp = (n: number, share: number) => Math.max(3, Math.min(Math.floor(users * share), users - n + 1));
  const nFew = Math.min(10, users - 3);
  const nSome = Math.min(500, Math.floor(users / 2));
  const few = await followMany(stack, url, following10, nFew, fromUp(nFew, 0.1), users);
  const some = await followMany(stack, url, following500, nSome, fromUp(nSome, 0.2), users);
  const many = await followingCount(url, following5000.id);
  if (users < 106) throw new Error("the bench's threads need at least 106 seeded users");

  const thread = await withClient(url, async (c) => {
    const found = await c.query(
      "SELECT id FROM tweets WHERE content IN ('bench thread root', 'bench chain 100', 'bench hub') ORDER BY content",
    );
    if (found.rowCount === 3) {
      const [chain, hub, root] = found.rows.map((r) => r.id as number);
      return { root: root as number, deepLeaf: chain as number, hub: hub as number };
    }
    // Written straight to the tables in one transaction, with every count made exact.
    await c.query("BEGIN");
    const [{ id: root }] = (
      await c.query("INSERT INTO tweets (user_id, content) VALUES (3, 'bench thread root') RETURNING id")
    ).rows;
    const mids = (
      await c.query(
        `INSERT INTO tweets (user_id, content, in_reply_to_tweet_id, conversation_id, created_at)
         SELECT 3 + g % 50, 'bench reply ' || g, $1, $1, now() + g * interval '1 ms' FROM generate_series(1, 20) g RETURNING id`,
        [root],
      )
    ).rows.map((r) => r.id as number);
    await c.query(
      `INSERT INTO tweets (user_id, content, in_reply_to_tweet_id, conversation_id, created_at)
       SELECT 3 + (m + g) % 50, 'bench reply to reply ' || g, m, $1, now() + (100 + g) * interval '1 ms'
       FROM unnest($2::int[]) AS m, generate_series(1, 9) g`,
      [root, mids],
    );
    let parent = root as number;
    for (let depth = 1; depth <= 100; depth++) {
      const [{ id }] = (
        await c.query(
          `INSERT INTO tweets (user_id, content, in_reply_to_tweet_id, conversation_id)
           VALUES (4, $1, $2, $3) RETURNING id`,
          [depth === 100 ? "bench chain 100" : `bench chain ${depth}`, parent, root],
        )
      ).rows;
      parent = id;
    }
    const [{ id: hub }] = (await c.query("INSERT INTO tweets (user_id, content) VALUES (5, 'bench hub') RETURNING id"))
      .rows;
    await c.query(
      `INSERT INTO tweets (user_id, content, in_reply_to_tweet_id, conversation_id, created_at)
       SELECT 6 + g % 100, 'bench hub reply ' || g, $1, $1, now() + g * interval '1 ms' FROM generate_series(1, 1000) g`,
      [hub],
    );
    await c.query(
      `UPDATE tweets t SET reply_count = (SELECT count(*) FROM tweets r WHERE r.in_reply_to_tweet_id = t.id)
       WHERE t.id = $1 OR t.id = $2 OR t.conversation_id = $1`,
      [root, hub],
    );
    await c.query(
      "UPDATE users u SET tweet_count = (SELECT count(*) FROM tweets t WHERE t.user_id = u.id) WHERE u.id BETWEEN 3 AND 106",
    );
    await c.query("COMMIT");
    return { root: root as number, deepLeaf: parent, hub: hub as number };
  });

  const deep = await withClient(url, async (c) => {
    const q = async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows[0];
    const middle = await q("SELECT created_at, id FROM tweets WHERE id = $1", [Math.floor(counts.tweets / 2)]);
    // A cursor pages only its own list: the list's path is part of it.
    const cursorOf = (list: string, row: { created_at?: Date; id: number } | undefined) =>
      row ? encodeCursor(list, row.created_at ? { at: row.created_at, id: row.id } : { id: row.id }) : "";
    const nth = (sql: string, params: unknown[]) => q(`${sql} OFFSET $${params.length + 1} LIMIT 1`, [...params, 300]);
    return {
      tweets: cursorOf("/tweets", middle),
      search: cursorOf("/tweets/search", middle),
      users: cursorOf("/users", { id: Math.floor(counts.users / 2) }),
      rare: cursorOf(
        "/tweets/search",
        await q(
          `SELECT created_at, id FROM tweets WHERE search @@ plainto_tsquery('english', 'zeppelin') ORDER BY created_at DESC, id DESC
           OFFSET least(50, (SELECT count(*) / 2 FROM tweets WHERE search @@ plainto_tsquery('english', 'zeppelin'))) LIMIT 1`,
        ),
      ),
      followers: cursorOf(
        `/users/${author10k.id}/followers`,
        await nth(
          "SELECT created_at, follower_id AS id FROM follows WHERE followee_id = $1 ORDER BY created_at DESC, follower_id DESC",
          [author10k.id],
        ),
      ),
      following: cursorOf(
        `/users/${following5000.id}/following`,
        await nth(
          "SELECT created_at, followee_id AS id FROM follows WHERE follower_id = $1 ORDER BY created_at DESC, followee_id DESC",
          [following5000.id],
        ),
      ),
      replies: cursorOf(
        `/tweets/${thread.hub}/replies`,
        await nth("SELECT created_at, id FROM tweets WHERE in_reply_to_tweet_id = $1 ORDER BY created_at, id", [
          thread.hub,
        ]),
      ),
      // About halfway down the author's ~100 tweets (their middle at a smaller scale).
      fromUser: cursorOf(
        "/tweets/search",
        await q(
          `SELECT created_at, id FROM tweets WHERE user_id = 3 ORDER BY created_at DESC, id DESC
           OFFSET least(50, (SELECT count(*) / 2 FROM tweets WHERE user_id = 3)) LIMIT 1`,
        ),
      ),
    };
  });
  const features = await featureFixtures(stack, url, counts, following500, following5000, following10);
  // What autovacuum would do after the fixtures' writes (a server may run without it, as CI's does):
  // statistics and visibility as a database in use has them, so that plans are those of production.
  await withClient(url, (c) =>
    c.query("VACUUM (ANALYZE) bookmarks, notifications, blocks, mutes, follows, home_timeline, tweets, users"),
  );
  const [{ n: followers10k }] = await withClient(
    url,
    async (c) => (await c.query("SELECT followers_count AS n FROM users WHERE id = $1", [author10k.id])).rows,
  );
  return {
    following10,
    following500,
    following5000,
    author0,
    author10k,
    followers10k,
    following: { few, some, many },
    thread,
    deep,
    users: counts.users,
    tweets: counts.tweets,
    rareWord: "zeppelin",
    fromUsername: seedUsername(2),
    features,
  };
}

/**
 * Writes rows by SQL once, in a transaction, unless the user has some already (a rerun reuses them).
 * `inserts` run with the user's id as $1.
 */
async function once(url: string, userId: number, exists: string, inserts: string[]) {
  await withClient(url, async (c) => {
    if ((await c.query(exists, [userId])).rowCount) return;
    await c.query("BEGIN");
    for (const sql of inserts) await c.query(sql, [userId]);
    await c.query("COMMIT");
  });
}

/** The fixtures of the feature ratios: quotes (#19), notifications (#20), blocks and bookmarks (#21). */
async function featureFixtures(
  stack: Stack,
  url: string,
  counts: Counts,
  following500: User,
  following5000: User,
  following10: User,
): Promise<Features> {
  const { users, tweets } = counts;
  // Quotes: 25 tweets each, through the API (counts, quote notifications and fan-out as in use).
  const quoter = await benchUser(stack, "bench_quoter");
  const unquoted = await benchUser(stack, "bench_unquoted");
  for (const [user, quotes] of [
    [quoter, true],
    [unquoted, false],
  ] as const) {
    const [{ n }] = await withClient(
      url,
      async (c) => (await c.query("SELECT tweet_count AS n FROM users WHERE id = $1", [user.id])).rows,
    );
    for (let i = Number(n); i < 25; i++)
      await call(
        stack,
        "POST",
        "/tweets",
        {
          content: `bench ${quotes ? "quote" : "plain"} ${i}`,
          ...(quotes ? { quoted_tweet_id: 1 + ((i * 7919) % tweets) } : {}),
        },
        user.token,
      );
  }
  // Notifications by SQL: a like of the i-th seeded tweet by a seeded user (unique per recipient,
  // actor, type and tweet), newest first in the order of the tweets.
  const notified = async (username: string, n: number) => {
    const user = await benchUser(stack, username);
    await once(url, user.id, "SELECT 1 FROM notifications WHERE recipient_id = $1 LIMIT 1", [
      `INSERT INTO notifications (recipient_id, actor_id, type, tweet_id, created_at)
       SELECT $1, 3 + t.id % ${users - 3}, 'like', t.id, now() - interval '1 hour' - t.id * interval '1 ms'
       FROM (SELECT id FROM tweets ORDER BY id LIMIT ${n}) t`,
    ]);
    return { ...user, n };
  };
  const notifiedMany = await notified("bench_notified_many", tweets);
  const notifiedFew = await notified("bench_notified_few", 1000);
  // Blocks: a user following the same accounts as following500, with the same timeline (copied by
  // SQL, with exact counts: 500 follows through the API take minutes on a loaded machine), who
  // blocks the first n users after user 2 and is blocked by the last n, none of them among its
  // followees (a block removes follows; by SQL none must cross one).
  const blocker = await benchUser(stack, "bench_blocker");
  const from = Number(following500.id);
  await once(url, blocker.id, "SELECT 1 FROM follows WHERE follower_id = $1 LIMIT 1", [
    `INSERT INTO follows (follower_id, followee_id, created_at)
     SELECT $1, followee_id, created_at FROM follows WHERE follower_id = ${from}`,
    `INSERT INTO home_timeline (user_id, created_at, tweet_id, author_id, reposted_by)
     SELECT $1, created_at, tweet_id, author_id, reposted_by FROM home_timeline WHERE user_id = ${from}`,
    "UPDATE users SET following_count = (SELECT count(*) FROM follows WHERE follower_id = $1) WHERE id = $1",
    `UPDATE users SET followers_count = followers_count + 1
     WHERE id IN (SELECT followee_id FROM follows WHERE follower_id = $1)`,
  ]);
  const nBlocks = Math.min(1000, Math.floor(users / 10));
  await once(url, blocker.id, "SELECT 1 FROM blocks WHERE blocker_id = $1 LIMIT 1", [
    `INSERT INTO blocks (blocker_id, blocked_id)
     SELECT $1, g FROM generate_series(3, ${2 + nBlocks}) g
     WHERE NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = g)`,
    `INSERT INTO blocks (blocker_id, blocked_id)
     SELECT g, $1 FROM generate_series(${users - nBlocks + 1}, ${users}) g
     WHERE NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = g)`,
  ]);
  // Bookmarks by SQL: the newest tweets, bookmarked one a millisecond apart.
  const bookmarked = async (username: string, n: number) => {
    const user = await benchUser(stack, username);
    await once(url, user.id, "SELECT 1 FROM bookmarks WHERE user_id = $1 LIMIT 1", [
      `INSERT INTO bookmarks (user_id, tweet_id, created_at)
       SELECT $1, t.id, now() - interval '1 hour' - row_number() OVER () * interval '1 ms'
       FROM (SELECT id FROM tweets ORDER BY id DESC LIMIT ${n}) t`,
    ]);
    return { ...user, n };
  };
  const bookmarksMany = await bookmarked("bench_bookmarks_many", tweets / 10);
  const bookmarksFew = await bookmarked("bench_bookmarks_few", 100);
  // Likes and follows with and without their notification: ids from 30% and from 50% of the way up
  // (clear of the blocks above, of user 2 and of the first, most followed accounts).
  const actor = await benchUser(stack, `bench_actor_${Date.now().toString(36)}`);
  const nWrites = Math.min(1000, Math.floor(users / 10));
  const range = (from: number) => Array.from({ length: nWrites }, (_, i) => from + i);
  const [notifiedFrom, mutingFrom] = [Math.floor(users * 0.3), Math.floor(users * 0.5)];
  const notifying = await withClient(url, async (c) => {
    await c.query(
      `INSERT INTO mutes (muter_id, muted_id) SELECT g, $1 FROM generate_series($2::int, $3::int) g ON CONFLICT DO NOTHING`,
      [actor.id, mutingFrom, mutingFrom + nWrites - 1],
    );
    const tweetsBy = async (from: number) =>
      (
        await c.query(
          "SELECT id FROM tweets WHERE user_id BETWEEN $1 AND $2 AND in_reply_to_tweet_id IS NULL ORDER BY random() LIMIT $3",
          [from, from + nWrites - 1, nWrites],
        )
      ).rows.map((r) => r.id as number);
    const like = { notified: await tweetsBy(notifiedFrom), muting: await tweetsBy(mutingFrom) };
    if (like.notified.length === 0 || like.muting.length === 0)
      throw new Error("no tweets to like for the notifying pairs");
    return {
      actor,
      follow: { notified: range(notifiedFrom), muting: range(mutingFrom) },
      like,
    };
  });
  const share = async (user: User) =>
    withClient(url, async (c) => {
      const [r] = (
        await c.query(
          `SELECT count(*) FILTER (WHERE reposted_by IS NOT NULL)::float / greatest(count(*), 1) AS share
           FROM (SELECT reposted_by FROM home_timeline WHERE user_id = $1 ORDER BY created_at DESC LIMIT 800) h`,
          [user.id],
        )
      ).rows;
      return +Number(r.share).toFixed(2);
    });
  return {
    quoter,
    unquoted,
    notifiedMany,
    notifiedFew,
    blocker: { ...blocker, n: nBlocks },
    bookmarksMany,
    bookmarksFew,
    repostShare: { many: await share(following5000), few: await share(following10) },
    notifying,
  };
}

/** The fan-out database's author (user 2, followed by every other user) and its followers. */
export async function fanoutAuthor(stack: Stack, url: string) {
  const author = await login(stack, seedUsername(1), DEMO_PASSWORD);
  const followers = await withClient(url, async (c) =>
    Number((await c.query("SELECT followers_count AS n FROM users WHERE id = $1", [author.id])).rows[0].n),
  );
  return { author, followers };
}

/** A timeline cursor about `depth` entries down a user's timeline (read through the API). */
export async function timelineCursor(stack: Stack, user: User, depth: number): Promise<string> {
  let url: string | undefined = `/users/${user.id}/timeline?limit=100`;
  let cursor = "";
  for (let seen = 0; url && seen < depth; seen += 100) {
    const res: Response = await fetch(`${stack.baseUrl}${url}`, { headers: { authorization: `Bearer ${user.token}` } });
    await res.arrayBuffer();
    const link: string | null = res.headers.get("link");
    url = link ? (/<([^>]+)>/.exec(link)?.[1] ?? undefined) : undefined;
    if (url) {
      const next: URL = new URL(url);
      cursor = next.searchParams.get("cursor") ?? cursor;
      url = `${next.pathname}${next.search}`;
    }
  }
  return cursor;
}
