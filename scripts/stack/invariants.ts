import type { Queryable } from "../../seeds/seed";

/**
 * The counts' invariant, checked with SQL on the database itself: every count equals the rows it
 * counts, and no follow crosses a block (a block removes the follows between the two users and
 * bars new ones while it stands). Each figure is the number of rows that break it (0 when it holds).
 * Used by the tests (after storms of concurrent writes and deletions, on the rows they touched: other
 * test files write fixtures of their own meanwhile), the soak and the fault tests (on everything).
 */
export type Scope = { users?: number[]; tweets?: number[] };

/** Each count: the table and column that hold it, and the rows it counts (table and the column naming the owner). */
const COUNTS = {
  likeCount: { table: "tweets", column: "like_count", rows: "likes", owner: "tweet_id" },
  replyCount: { table: "tweets", column: "reply_count", rows: "tweets", owner: "in_reply_to_tweet_id" },
  repostCount: { table: "tweets", column: "repost_count", rows: "reposts", owner: "tweet_id" },
  quoteCount: { table: "tweets", column: "quote_count", rows: "tweets", owner: "quoted_tweet_id" },
  followersCount: { table: "users", column: "followers_count", rows: "follows", owner: "followee_id" },
  followingCount: { table: "users", column: "following_count", rows: "follows", owner: "follower_id" },
  tweetCount: { table: "users", column: "tweet_count", rows: "tweets", owner: "user_id" },
} as const;

export type CountMismatches = Record<keyof typeof COUNTS | "followsAcrossBlocks", number>;

export const NO_MISMATCHES: CountMismatches = {
  likeCount: 0,
  replyCount: 0,
  repostCount: 0,
  quoteCount: 0,
  followersCount: 0,
  followingCount: 0,
  tweetCount: 0,
  followsAcrossBlocks: 0,
};

export async function countMismatches(db: Queryable, scope?: Scope): Promise<CountMismatches> {
  const mismatches = { ...NO_MISMATCHES };
  for (const [name, count] of Object.entries(COUNTS) as [keyof typeof COUNTS, (typeof COUNTS)[keyof typeof COUNTS]][]) {
    const ids = count.table === "tweets" ? scope?.tweets : scope?.users;
    const { rows } = await db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM ${count.table} o
       WHERE ${scope ? "o.id = ANY($1::int[])" : "true"}
         AND o.${count.column} <> (SELECT count(*) FROM ${count.rows} r WHERE r.${count.owner} = o.id)`,
      scope ? [ids ?? []] : [],
    );
    mismatches[name] = Number(rows[0]?.n ?? 0);
  }
  const { rows } = await db.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM follows f
     WHERE ${scope ? "(f.follower_id = ANY($1::int[]) OR f.followee_id = ANY($1::int[]))" : "true"}
       AND EXISTS (SELECT 1 FROM blocks b
                   WHERE (b.blocker_id, b.blocked_id) IN ((f.follower_id, f.followee_id), (f.followee_id, f.follower_id)))`,
    scope ? [scope.users ?? []] : [],
  );
  mismatches.followsAcrossBlocks = Number(rows[0]?.n ?? 0);
  return mismatches;
}

/**
 * A notification never outlives the action it reports, nor is one about oneself: every `like` and
 * `repost` has its row (by the actor, of the recipient's tweet), every `follow` its follow, every
 * `mention` its mention of the recipient, every `reply` and `quote` its tweet by the actor
 * (replying or quoting). The number of notifications that break this (0 when it holds), among
 * those of the scope's users (as recipient or actor) when given.
 */
export async function notificationsWithoutAction(db: Queryable, scope?: Scope): Promise<number> {
  const { rows } = await db.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM notifications n
     WHERE ${scope ? "(n.recipient_id = ANY($1::int[]) OR n.actor_id = ANY($1::int[]))" : "true"}
       AND (n.recipient_id = n.actor_id OR NOT CASE n.type
         WHEN 'like' THEN EXISTS (SELECT 1 FROM likes l JOIN tweets t ON t.id = l.tweet_id
                                  WHERE l.user_id = n.actor_id AND l.tweet_id = n.tweet_id AND t.user_id = n.recipient_id)
         WHEN 'repost' THEN EXISTS (SELECT 1 FROM reposts r JOIN tweets t ON t.id = r.tweet_id
                                    WHERE r.user_id = n.actor_id AND r.tweet_id = n.tweet_id AND t.user_id = n.recipient_id)
         WHEN 'follow' THEN n.tweet_id IS NULL AND EXISTS (
                                  SELECT 1 FROM follows f WHERE f.follower_id = n.actor_id AND f.followee_id = n.recipient_id)
         WHEN 'mention' THEN EXISTS (SELECT 1 FROM mentions m JOIN tweets t ON t.id = m.tweet_id
                                     WHERE m.tweet_id = n.tweet_id AND m.user_id = n.recipient_id AND t.user_id = n.actor_id)
         WHEN 'reply' THEN EXISTS (SELECT 1 FROM tweets t WHERE t.id = n.tweet_id AND t.user_id = n.actor_id
                                   AND t.in_reply_to_tweet_id IS NOT NULL)
         WHEN 'quote' THEN EXISTS (SELECT 1 FROM tweets t WHERE t.id = n.tweet_id AND t.user_id = n.actor_id
                                   AND t.quoted_tweet_id IS NOT NULL)
         ELSE false END)`,
    scope ? [scope.users ?? []] : [],
  );
  return Number(rows[0]?.n ?? 0);
}
