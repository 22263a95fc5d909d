import { and, eq, sql } from "drizzle-orm";
import type { Order, Page } from "../../db/keyset";
import { markTweet, REPOST, unmarkTweet } from "../../db/marks";
import { celebrities, homeTimeline, reposts, tweets, users } from "../../db/schema";
import { callerOk, columnName, flag, flagsRow, selectWithFlags, tweetExists } from "../../db/sql";
import { selectTweets } from "../../models/tweet";
import { selectUsers } from "../../models/user";
import type { Caller, Db } from "../../types";

/**
 * The statements about reposts, one per request. A repost is a mark like a like (markTweet: the
 * caller's row, then the repost and repost_count in one statement), and also a home-timeline
 * entry: the reposter's own, written in the same statement (read-your-writes), and the
 * followers', written by the fan-out (src/fanout) after the response.
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
 * POST /users/{id}/reposts: the repost unless it exists (it keeps its first time), repost_count
 * only when inserted, and the entry in the reposter's own timeline (its `author_id` is the
 * reposter: see fanoutChunk). `fanout`: a new repost whose reposter has followers to fan out to.
 */
export const repost = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const marked = markTweet(db, REPOST, caller, userId, tweetId);
  const { marker, inserted } = marked;
  const entry = db.$with("entry", { tweetId: homeTimeline.tweetId }).as(
    sql`INSERT INTO ${homeTimeline} (${columnName(homeTimeline.userId)}, ${columnName(homeTimeline.createdAt)},
                                      ${columnName(homeTimeline.tweetId)}, ${columnName(homeTimeline.authorId)},
                                      ${columnName(homeTimeline.repostedBy)})
          SELECT ${marker.id}, ${inserted.createdAt}, ${inserted.tweetId}, ${marker.id}, ${marker.id} FROM ${marker}, ${inserted}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(homeTimeline.tweetId)}`,
  );
  const tweet = selectTweets(db, caller, {
    repostCount: sql<number>`${marked.countNow}`.as("repost_count"),
    reposted: sql<boolean>`true`.as("reposted"),
  }).where(eq(tweets.id, tweetId));
  const fansOut = sql`EXISTS (SELECT 1 FROM ${inserted}) AND (SELECT ${marker.followersCount} > 0 FROM ${marker})
    AND NOT EXISTS (SELECT 1 FROM ${celebrities} WHERE ${celebrities.userId} = ${caller.id})`;
  const flags = { ...marked.flags, fanout: flag("fanout", fansOut) };
  return selectWithFlags(db, flags, tweet.as("page"), { withs: [...marked.withs, entry] });
};

/**
 * DELETE /users/{id}/reposts/{tweet_id}: removes the repost if present, drops repost_count, and
 * takes the entry out of the reposter's own timeline. The followers' entries stay until trimmed,
 * but the read shows an entry only while its repost exists (with the entry's time), so undoing a
 * repost reaches every timeline by its next read.
 */
export const unrepost = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const unmarked = unmarkTweet(db, REPOST, caller, userId, tweetId);
  const { removed } = unmarked;
  const purged = db.$with("purged").as(
    db
      .delete(homeTimeline)
      .where(
        and(
          sql`(${homeTimeline.userId}, ${homeTimeline.tweetId}) IN (SELECT ${removed.userId}, ${removed.tweetId} FROM ${removed})`,
          sql`${homeTimeline.repostedBy} = ${homeTimeline.userId}`,
        ),
      )
      .returning({ tweetId: homeTimeline.tweetId }),
  );
  return db
    .with(...unmarked.withs, purged)
    .select(unmarked.flags)
    .from(flagsRow);
};
