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
