import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import { type Position, startAfter } from "../db/keyset";
import { celebrities, fanoutOutbox, follows, homeTimeline, tweets } from "../db/schema";
import { columnName, flagsRow } from "../db/sql";
import { trimTimelines } from "../db/timeline";
import type { Db } from "../types";

/** Followers written per statement (one queue message); more continue in the next message. */
export const FANOUT_CHUNK = 2_000;
/** Each delivery trims the receiving timeline with probability 1/TRIM_EVERY (deterministic per follower and tweet). */
const TRIM_EVERY = 16;

/**
 * One chunk of a tweet's fan-out, one statement: the next FANOUT_CHUNK followers of its author
 * (most recent follow first, from `after`) get the tweet in their home timeline. Idempotent: an
 * entry that is there already stays (ON CONFLICT DO NOTHING), so a retried or duplicated message
 * changes nothing. A deleted tweet, or an author in `celebrities`, fans out to nobody. The last
 * chunk deletes the outbox row. Returns how many followers it covered and where the next chunk
 * starts.
 */
export const fanoutChunk = (tweetId: number, after: Position | undefined) => (db: Db) => {
  const tweet = db.$with("tweet").as(
    db
      .select({ id: tweets.id, userId: tweets.userId, createdAt: tweets.createdAt })
      .from(tweets)
      .where(
        and(
          eq(tweets.id, tweetId),
          sql`NOT EXISTS (SELECT 1 FROM ${celebrities} WHERE ${celebrities.userId} = ${tweets.userId})`,
        ),
      ),
  );
  const targets = db.$with("targets").as(
    db
      .select({
        followerId: follows.followerId,
        followedAt: sql<Date>`${follows.createdAt}`.mapWith(follows.createdAt).as("followed_at"),
      })
      .from(follows)
      .where(
        and(
          sql`${follows.followeeId} = (SELECT ${tweet.userId} FROM ${tweet})`,
          startAfter("desc", after, follows.createdAt, follows.followerId),
        ),
      )
      .orderBy(desc(follows.createdAt), desc(follows.followerId))
      .limit(FANOUT_CHUNK),
  );
  const delivered = db.$with("delivered", { userId: homeTimeline.userId }).as(
    sql`INSERT INTO ${homeTimeline} (${columnName(homeTimeline.userId)}, ${columnName(homeTimeline.createdAt)},
                                      ${columnName(homeTimeline.tweetId)}, ${columnName(homeTimeline.authorId)})
          SELECT ${targets.followerId}, ${tweet.createdAt}, ${tweet.id}, ${tweet.userId} FROM ${targets}, ${tweet}
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
  const done = db.$with("done").as(
    db
      .delete(fanoutOutbox)
      .where(and(eq(fanoutOutbox.tweetId, tweetId), sql`(SELECT count(*) FROM ${targets}) < ${FANOUT_CHUNK}`))
      .returning({ tweetId: fanoutOutbox.tweetId }),
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
      covered: sql<number>`(SELECT count(*) FROM ${targets})::int`.as("covered"),
      lastFollowerId: last.followerId,
      lastFollowedAt: last.followedAt,
    })
    .from(flagsRow)
    .leftJoin(last, sql`true`);
};

/** Outbox rows older than `seconds`: fan-outs whose message was lost (or is very late). */
export const staleOutbox = (seconds: number, limit: number) => (db: Db) =>
  db
    .select({ tweetId: fanoutOutbox.tweetId })
    .from(fanoutOutbox)
    .where(lt(fanoutOutbox.createdAt, sql`now() - make_interval(secs => ${seconds})`))
    .orderBy(asc(fanoutOutbox.createdAt))
    .limit(limit);
