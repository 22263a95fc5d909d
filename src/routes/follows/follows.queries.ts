import { and, eq, inArray, sql } from "drizzle-orm";
import type { Order, Page } from "../../db/keyset";
import { notify, unnotify } from "../../db/notifications";
import { celebrities, follows, homeTimeline, tweets, users } from "../../db/schema";
import {
  callerOk,
  columnName,
  eitherBlocks,
  flag,
  flagsRow,
  lockedPair,
  lockPair,
  selectWithFlags,
  sqlOf,
  userExists,
} from "../../db/sql";
import { trimTimelines } from "../../db/timeline";
import { FOLLOW_BACKFILL } from "../../lib/limits";
import { selectUsers } from "../../models/user";
import type { Caller, Db } from "../../types";

/**
 * The statements about follows, one per request. A follow changes two counts (the follower's
 * following_count, the followee's followers_count): both rows are locked first, in id order, so
 * two follows between the same pair, in either direction, queue instead of deadlocking, and an
 * account deletion (which locks its row FOR UPDATE) waits for them or they for it.
 */

/** Lists of follows: most recent follow first, by the follow's time, then the listed user's id. */
export const RECENT_FOLLOWS: Order = { direction: "desc", at: "followedAt" };

/** GET /users/{id}/followers or /following: most recent follow first (follows.created_at, then user id). */
export const followList =
  (caller: Caller | undefined, userId: number, direction: "followers" | "following", page: Page) => (db: Db) => {
    const [self, other] =
      direction === "followers" ? [follows.followeeId, follows.followerId] : [follows.followerId, follows.followeeId];
    const query = db
      .select({
        userId: sql<number>`${other}`.as("other_id"),
        followedAt: sql<Date>`${follows.createdAt}`.mapWith(follows.createdAt).as("followed_at"),
      })
      .from(follows)
      .$dynamic();
    const recent = page.take(query, eq(self, userId), follows.createdAt, other).as("recent");
    const list = selectUsers(db, caller, { followedAt: recent.followedAt }).innerJoin(
      recent,
      eq(users.id, recent.userId),
    );
    const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)) };
    return selectWithFlags(db, flags, list.as("page"), { order: page });
  };

/**
 * POST /users/{id}/following: follows unless already following (the follow keeps its first time)
 * or a block stands between the two (`blocked`: 403), counts it on both users, enters the followee
 * into `celebrities` when it reaches the fan-out threshold, backfills the follower's home timeline
 * with the followee's FOLLOW_BACKFILL newest tweets (then trims it), so the next timeline read has
 * them, and notifies the followee. A transaction of two statements in one round trip: the pair's
 * locks first (lockPair), so that the follow sees a block committed while it waited, and a block
 * the follow; with both rows locked, the notification's foreign key needs no lock of its own.
 */
export const follow = (caller: Caller, userId: number, targetId: number, fanoutMaxFollowers: number) => (db: Db) => [
  lockPair(db, caller, targetId),
  sqlOf(followStatement(caller, userId, targetId, fanoutMaxFollowers)(db)),
];

const followStatement = (caller: Caller, userId: number, targetId: number, fanoutMaxFollowers: number) => (db: Db) => {
  const locked = lockedPair(db, caller, targetId);
  const mayFollow = userId === caller.id;
  const blocked = eitherBlocks(caller.id, targetId);
  const inserted = db.$with("inserted", { followeeId: follows.followeeId }).as(
    sql`INSERT INTO ${follows} (${columnName(follows.followerId)}, ${columnName(follows.followeeId)})
          SELECT f.id, t.id FROM ${locked} AS f, ${locked} AS t
          WHERE f.id = ${caller.id} AND t.id = ${targetId} AND ${mayFollow}::boolean AND NOT ${blocked}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(follows.followeeId)}`,
  );
  const counted = db.$with("counted").as(
    db
      .update(users)
      .set({
        followingCount: sql`${users.followingCount} + (${users.id} = ${caller.id})::int`,
        followersCount: sql`${users.followersCount} + (${users.id} = ${targetId})::int`,
      })
      .where(and(inArray(users.id, [caller.id, targetId]), sql`EXISTS (SELECT 1 FROM ${inserted})`))
      .returning({ id: users.id, followersCount: users.followersCount }),
  );
  const celebrity = db.$with("celebrity", { userId: celebrities.userId }).as(
    sql`INSERT INTO ${celebrities} (${columnName(celebrities.userId)})
          SELECT ${counted.id} FROM ${counted}
          WHERE ${counted.id} = ${targetId} AND ${counted.followersCount} > ${fanoutMaxFollowers}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(celebrities.userId)}`,
  );
  const backfill = db.$with("backfill", { tweetId: homeTimeline.tweetId }).as(
    sql`INSERT INTO ${homeTimeline} (${columnName(homeTimeline.userId)}, ${columnName(homeTimeline.createdAt)},
                                      ${columnName(homeTimeline.tweetId)}, ${columnName(homeTimeline.authorId)})
          SELECT ${caller.id}, ${tweets.createdAt}, ${tweets.id}, ${tweets.userId} FROM ${tweets}
          WHERE ${tweets.userId} = (SELECT ${inserted.followeeId} FROM ${inserted})
          ORDER BY ${tweets.createdAt} DESC, ${tweets.id} DESC LIMIT ${FOLLOW_BACKFILL}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(homeTimeline.tweetId)}`,
  );
  const trimmed = db.$with("trimmed", { userId: homeTimeline.userId }).as(
    sql`${trimTimelines(sql`SELECT ${caller.id}::int WHERE EXISTS (SELECT 1 FROM ${inserted})`)}
          RETURNING ${homeTimeline.userId}`,
  );
  const notified = notify(db, "notified", [
    { type: "follow", rows: sql`SELECT ${inserted.followeeId}, ${caller.id}, NULL FROM ${inserted}` },
  ]);
  const followee = selectUsers(db, caller, {
    followersCount: sql<number>`coalesce(
        (SELECT ${counted.followersCount} FROM ${counted} WHERE ${counted.id} = ${targetId}), ${users.followersCount})`.as(
      "followers_count",
    ),
    following: sql<boolean>`true`.as("following"),
  })
    .where(eq(users.id, targetId))
    .as("page");
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${locked} WHERE ${locked.id} = ${caller.id})`),
    inserted: flag("inserted", sql`EXISTS (SELECT 1 FROM ${inserted})`),
    blocked: flag("blocked", blocked),
  };
  return selectWithFlags(db, flags, followee, {
    withs: [locked, inserted, counted, celebrity, backfill, trimmed, notified],
  });
};

/**
 * DELETE /users/{id}/following/{target_user_id}: unfollows if following, drops both counts and the
 * follow's notification, and
 * takes the followee's tweets out of the follower's home timeline (reads also skip entries of
 * authors no longer followed, so an entry a concurrent fan-out writes late never shows).
 */
export const unfollow = (caller: Caller, userId: number, targetId: number) => (db: Db) => {
  const locked = lockedPair(db, caller, targetId);
  const follower = sql`(SELECT ${locked.id} FROM ${locked} WHERE ${locked.id} = ${caller.id} AND ${userId === caller.id}::boolean)`;
  const removed = db.$with("removed").as(
    db
      .delete(follows)
      .where(and(sql`${follows.followerId} = ${follower}`, eq(follows.followeeId, targetId)))
      .returning({ followeeId: follows.followeeId }),
  );
  const counted = db.$with("counted").as(
    db
      .update(users)
      .set({
        followingCount: sql`${users.followingCount} - (${users.id} = ${caller.id})::int`,
        followersCount: sql`${users.followersCount} - (${users.id} = ${targetId})::int`,
      })
      .where(and(inArray(users.id, [caller.id, targetId]), sql`EXISTS (SELECT 1 FROM ${removed})`))
      .returning({ id: users.id }),
  );
  const purged = db.$with("purged").as(
    db
      .delete(homeTimeline)
      .where(and(sql`${homeTimeline.userId} = ${follower}`, eq(homeTimeline.authorId, targetId)))
      .returning({ tweetId: homeTimeline.tweetId }),
  );
  const unnotified = unnotify(
    db,
    "unnotified",
    "follow",
    { recipient: targetId, actor: caller.id, tweet: null },
    sql`EXISTS (SELECT 1 FROM ${removed})`,
  );
  return db
    .with(locked, removed, counted, purged, unnotified)
    .select({
      callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${locked} WHERE ${locked.id} = ${caller.id})`),
      targetFound: flag("target_found", sql`EXISTS (SELECT 1 FROM ${locked} WHERE ${locked.id} = ${targetId})`),
    })
    .from(flagsRow);
};
