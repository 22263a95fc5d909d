import { eq, sql } from "drizzle-orm";
import type { Order, Page } from "../../db/keyset";
import { markTweet, REPOST, unmarkTweet } from "../../db/marks";
import { celebrities, repostFanoutOutbox, reposts, tweets, users } from "../../db/schema";
import { callerOk, columnName, flag, flagsRow, selectWithFlags, tweetExists } from "../../db/sql";
import { selectTweets } from "../../models/tweet";
import { selectUsers } from "../../models/user";
import type { Caller, Db } from "../../types";

/**
 * The statements about reposts, one per request. A repost is a mark like a like (markTweet: the
 * caller's row, then the repost and repost_count in one statement), and also a home-timeline
 * entry: in the followers' timelines, written by the fan-out (src/fanout) after the response; in
 * the reposter's own, merged at read time (read-your-writes).
 */

/** GET /tweets/{id}/reposted_by: most recent repost first, by the repost's time, then user id. */
export const RECENT_REPOSTS: Order = { direction: "desc", at: "repostedAt" };

export const repostedBy = (caller: Caller | undefined, tweetId: number, page: Page) => (db: Db) => {
  const query = db
    .select({
      userId: reposts.userId,
      repostedAt: sql<Date>`${reposts.createdAt}`.mapWith(reposts.createdAt).as("reposted_at"),
    })
    .from(reposts)
    .$dynamic();
  const recent = page.take(query, eq(reposts.tweetId, tweetId), reposts.createdAt, reposts.userId).as("recent");
  const list = selectUsers(db, caller, { repostedAt: recent.repostedAt }).innerJoin(
    recent,
    eq(users.id, recent.userId),
  );
  const flags = { callerOk: callerOk(caller), found: flag("found", tweetExists(tweetId)) };
  return selectWithFlags(db, flags, list.as("page"), { order: page });
};

/**
 * POST /users/{id}/reposts: the repost unless it exists (it keeps its first time), and
 * repost_count only when inserted. The reposter's own timeline merges their reposts at read time;
 * a new repost whose reposter has followers to fan out to (and is not a celebrity) gets its fan-out
 * outbox row in the same statement (`fanout`: the row was written; see src/fanout).
 */
export const repost = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const marked = markTweet(db, REPOST, caller, userId, tweetId);
  const { marker, inserted } = marked;
  const tweet = selectTweets(db, caller, {
    repostCount: sql<number>`${marked.countNow}`.as("repost_count"),
    reposted: sql<boolean>`true`.as("reposted"),
  }).where(eq(tweets.id, tweetId));
  const fansOut = sql`EXISTS (SELECT 1 FROM ${inserted}) AND (SELECT ${marker.followersCount} > 0 FROM ${marker})
    AND NOT EXISTS (SELECT 1 FROM ${celebrities} WHERE ${celebrities.userId} = ${caller.id})`;
  // The repost's row is this statement's own: the foreign key's check, at the statement's end, sees it.
  const outbox = db.$with("outbox", { tweetId: repostFanoutOutbox.tweetId }).as(
    sql`INSERT INTO ${repostFanoutOutbox} (${columnName(repostFanoutOutbox.userId)}, ${columnName(repostFanoutOutbox.tweetId)})
          SELECT ${caller.id}::int, ${inserted.tweetId} FROM ${inserted} WHERE ${fansOut}
          RETURNING ${columnName(repostFanoutOutbox.tweetId)}`,
  );
  const flags = { ...marked.flags, fanout: flag("fanout", sql`EXISTS (SELECT 1 FROM ${outbox})`) };
  return selectWithFlags(db, flags, tweet.as("page"), { withs: [...marked.withs, outbox] });
};

/**
 * DELETE /users/{id}/reposts/{tweet_id}: removes the repost if present and drops repost_count. The
 * followers' entries stay until trimmed, but the read shows an entry only while its repost exists
 * (with the entry's time), so undoing a repost reaches every timeline by its next read.
 */
export const unrepost = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const unmarked = unmarkTweet(db, REPOST, caller, userId, tweetId);
  return db
    .with(...unmarked.withs)
    .select(unmarked.flags)
    .from(flagsRow);
};
