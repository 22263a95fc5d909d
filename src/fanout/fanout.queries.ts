import { and, asc, eq, lt, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import { type Position, startAfter } from "../db/keyset";
import { celebrities, fanoutOutbox, follows, homeTimeline, repostFanoutOutbox, reposts, tweets } from "../db/schema";
import { columnName, flagsRow } from "../db/sql";
import { trimTimelines } from "../db/timeline";
import type { Db } from "../types";

/**
 * Followers written per statement. A chunk is one set-based INSERT … SELECT whose cost is the
 * index entries it writes (README, Benchmarks: rows per second): large enough that the round trip
 * and the statement's fixed cost vanish, small enough to stay far inside the statement deadline.
 */
export const FANOUT_CHUNK = 5_000;

/**
 * A delivery trims the receiving timeline for 1 in TRIM_EVERY of its followers (chosen by
 * follower and tweet id, so a redelivery trims the same ones). A trim reads the timeline's newest
 * 800 entries and probes each one's tweet, a few hundred times the work of the entry written, so
 * it is amortised: a timeline that receives fan-outs holds 800 entries plus, on average,
 * TRIM_EVERY / 2 more (README, "The home timeline").
 */
export const TRIM_EVERY = 256;

/** Where a fan-out goes on: its author (once known) and the last follower written. */
export type FanoutPosition = { authorId?: number; after?: Position };

/**
 * One chunk of a fan-out, one statement: the next FANOUT_CHUNK followers of its source (most
 * recent follow first, from `from`, read as one range of the follows index) get the entry in their
 * home timeline. The source is the tweet's author, or, for a repost (`repostedBy`), the reposting
 * user: the entry is then the reposted tweet at the repost's time, with `reposted_by`, and its
 * `author_id` is the reposter (the followed user whose action it is: an unfollow removes it, and
 * the read checks that follow). Idempotent: an entry that is there already stays (ON CONFLICT DO
 * NOTHING), so a retried or duplicated message changes nothing. A deleted tweet or repost, or a
 * source in `celebrities`, fans out to nobody; a follower who unfollows while the chunk runs may
 * keep the entry, which the read skips (it checks the follow). The last chunk of a fan-out
 * deletes its outbox row (the tweet's in `fanout_outbox`, a repost's in `repost_fanout_outbox`).
 * Returns how many followers it covered, the source, and where
 * the next chunk starts.
 */
export const fanoutChunk = (tweetId: number, from: FanoutPosition | undefined, repostedBy?: number) => (db: Db) => {
  const notCelebrity = (userId: unknown) =>
    sql`NOT EXISTS (SELECT 1 FROM ${celebrities} WHERE ${celebrities.userId} = ${userId})`;
  // The entry's tweet, source and time (a repost row goes with its tweet: cascade).
  const [table, id, userId, createdAt, where] =
    repostedBy === undefined
      ? [tweets, tweets.id, tweets.userId, tweets.createdAt, and(eq(tweets.id, tweetId), notCelebrity(tweets.userId))]
      : [
          reposts,
          reposts.tweetId,
          reposts.userId,
          reposts.createdAt,
          and(eq(reposts.userId, repostedBy), eq(reposts.tweetId, tweetId), notCelebrity(repostedBy)),
        ];
  const tweet = db.$with("tweet").as(
    db
      .select({
        id: sql<number>`${id}`.as("id"),
        userId: sql<number>`${userId}`.as("user_id"),
        createdAt: sql<Date>`${createdAt}`.mapWith(tweets.createdAt).as("created_at"),
      })
      .from(table)
      .where(where),
  );
  // One range of the (followee_id, created_at, follower_id) index from `after`, stopped at the
  // chunk. The author is a parameter once known (the first chunk returns it): the planner then
  // knows how many followers it has, where for a column of `tweet` it guesses the average, and
  // for an author with many followers in a graph of few accounts, guessing many, it would read
  // and sort every follower on every chunk.
  const author = from?.authorId === undefined ? sql`${tweet.userId}` : sql`${from.authorId}`;
  const targets = db
    .$with("targets", {
      followerId: follows.followerId,
      followedAt: sql<Date>`followed_at`.mapWith(follows.createdAt).as("followed_at"),
    })
    .as(
      sql`SELECT f.follower_id, f.followed_at FROM ${tweet} CROSS JOIN LATERAL (
            SELECT ${follows.followerId} AS follower_id, ${follows.createdAt} AS followed_at FROM ${follows}
            WHERE ${follows.followeeId} = ${author}
              AND ${startAfter("desc", from?.after, follows.createdAt, follows.followerId)}
            ORDER BY ${follows.createdAt} DESC, ${follows.followerId} DESC
            LIMIT ${FANOUT_CHUNK}) AS f`,
    );
  const delivered = db.$with("delivered", { userId: homeTimeline.userId }).as(
    sql`INSERT INTO ${homeTimeline} (${columnName(homeTimeline.userId)}, ${columnName(homeTimeline.createdAt)},
                                      ${columnName(homeTimeline.tweetId)}, ${columnName(homeTimeline.authorId)},
                                      ${columnName(homeTimeline.repostedBy)})
          SELECT ${targets.followerId}, ${tweet.createdAt}, ${tweet.id}, ${tweet.userId}, ${repostedBy ?? null}::int
          FROM ${targets}, ${tweet}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(homeTimeline.userId)}`,
  );
  const trimmed = db
    .$with("trimmed", { userId: homeTimeline.userId })
    .as(
      sql`${trimTimelines(
        sql`SELECT ${targets.followerId} FROM ${targets} WHERE (${targets.followerId} + ${tweetId}) % ${TRIM_EVERY} = 0`,
      )} RETURNING ${homeTimeline.userId}`,
    );
  const covered = sql`(SELECT count(*) FROM ${targets})`;
  const finished = sql`${covered} < ${FANOUT_CHUNK}`;
  const done =
    repostedBy === undefined
      ? db.$with("done").as(
          db
            .delete(fanoutOutbox)
            .where(and(eq(fanoutOutbox.tweetId, tweetId), finished))
            .returning({ tweetId: fanoutOutbox.tweetId }),
        )
      : db.$with("done").as(
          db
            .delete(repostFanoutOutbox)
            .where(and(eq(repostFanoutOutbox.userId, repostedBy), eq(repostFanoutOutbox.tweetId, tweetId), finished))
            .returning({ tweetId: repostFanoutOutbox.tweetId }),
        );
  const last = db
    .select({ followerId: targets.followerId, followedAt: targets.followedAt })
    .from(targets)
    .orderBy(asc(targets.followedAt), asc(targets.followerId))
    .limit(1)
    .as("last");
  return db
    .with(tweet, targets, delivered, trimmed, done)
    .select({
      covered: sql<number>`${covered}::int`.as("covered"),
      authorId: sql<number | null>`(SELECT ${tweet.userId} FROM ${tweet})`.as("author_id"),
      lastFollowerId: last.followerId,
      lastFollowedAt: last.followedAt,
    })
    .from(flagsRow)
    .leftJoin(last, sql`true`);
};

/**
 * Outbox rows older than `seconds`, of both kinds, oldest first: fan-outs whose message was lost
 * (or is very late). `repostedBy` is NULL for a tweet's fan-out, the reposter for a repost's.
 */
export const staleOutbox = (seconds: number, limit: number) => (db: Db) => {
  const before = sql`now() - make_interval(secs => ${seconds})`;
  const posts = db
    .select({
      tweetId: fanoutOutbox.tweetId,
      repostedBy: sql<number | null>`NULL::int`.as("reposted_by"),
      createdAt: fanoutOutbox.createdAt,
    })
    .from(fanoutOutbox)
    .where(lt(fanoutOutbox.createdAt, before));
  const reposted = db
    .select({
      tweetId: repostFanoutOutbox.tweetId,
      repostedBy: sql<number | null>`${repostFanoutOutbox.userId}`.as("reposted_by"),
      createdAt: repostFanoutOutbox.createdAt,
    })
    .from(repostFanoutOutbox)
    .where(lt(repostFanoutOutbox.createdAt, before));
  return unionAll(posts, reposted).orderBy(sql`created_at`).limit(limit);
};
