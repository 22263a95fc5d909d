import type { Queryable } from "../../seeds/seed";

/**
 * The counts' invariant, checked with SQL on the database itself: every count equals the rows it
 * counts. Each figure is the number of rows whose count is wrong (0 when the invariant holds).
 * Used by the tests (after storms of concurrent writes and deletions, on the rows they touched: other
 * test files write fixtures of their own meanwhile), the soak and the fault tests (on everything).
 */
export type Scope = { users?: number[]; tweets?: number[] };

const COUNT_CHECKS = {
  likeCount: (where: string) =>
    `SELECT count(*) AS n FROM tweets t
     WHERE ${where} AND t.like_count <> (SELECT count(*) FROM likes l WHERE l.tweet_id = t.id)`,
  replyCount: (where: string) =>
    `SELECT count(*) AS n FROM tweets t
     WHERE ${where} AND t.reply_count <> (SELECT count(*) FROM tweets r WHERE r.in_reply_to_tweet_id = t.id)`,
  followersCount: (where: string) =>
    `SELECT count(*) AS n FROM users u
     WHERE ${where} AND u.followers_count <> (SELECT count(*) FROM follows f WHERE f.followee_id = u.id)`,
  followingCount: (where: string) =>
    `SELECT count(*) AS n FROM users u
     WHERE ${where} AND u.following_count <> (SELECT count(*) FROM follows f WHERE f.follower_id = u.id)`,
  tweetCount: (where: string) =>
    `SELECT count(*) AS n FROM users u
     WHERE ${where} AND u.tweet_count <> (SELECT count(*) FROM tweets t WHERE t.user_id = u.id)`,
} as const;

export type CountMismatches = Record<keyof typeof COUNT_CHECKS, number>;

export const NO_MISMATCHES: CountMismatches = {
  likeCount: 0,
  replyCount: 0,
  followersCount: 0,
  followingCount: 0,
  tweetCount: 0,
};

export async function countMismatches(db: Queryable, scope?: Scope): Promise<CountMismatches> {
  const mismatches = { ...NO_MISMATCHES };
  for (const [name, check] of Object.entries(COUNT_CHECKS) as [keyof CountMismatches, (w: string) => string][]) {
    const onTweets = name === "likeCount" || name === "replyCount";
    const ids = onTweets ? scope?.tweets : scope?.users;
    const where = scope ? `${onTweets ? "t" : "u"}.id = ANY($1::int[])` : "true";
    const { rows } = await db.query<{ n: number | string }>(check(where), scope ? [ids ?? []] : []);
    mismatches[name] = Number(rows[0]?.n ?? 0);
  }
  return mismatches;
}
