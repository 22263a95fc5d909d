import { and, type Column, eq, inArray, or, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { typeLiteral } from "../../db/notifications";
import { blocks, follows, homeTimeline, mutes, notifications, users } from "../../db/schema";
import {
  callerOk,
  columnName,
  flag,
  flagsRow,
  lockedCaller,
  lockedPair,
  lockPair,
  selectWithFlags,
  sqlOf,
  userExists,
} from "../../db/sql";
import { selectUsers } from "../../models/user";
import type { Caller, Db } from "../../types";

/**
 * The statements about blocks and mutes: one shape, two tables (`blocking`: blocks, `muting`:
 * mutes), both private to their owner. A mute is a row and nothing else. A block also removes the
 * follows between the two users, both ways, with their counts: it locks the pair in the order a
 * follow does (lockPair, sql.ts), in a transaction whose second statement sees every follow that
 * committed before it got the locks, as a follow that waited for a block sees the block.
 */
export type Relation = "blocking" | "muting";
const tables = { blocking: blocks, muting: mutes } as const;

/** GET /users/{id}/blocking or /muting: most recent first (created_at, then user id); only for the owner. */
export const relationList = (caller: Caller, userId: number, relation: Relation, page: Page) => (db: Db) => {
  const table = tables[relation];
  const query = db
    .select({
      userId: sql<number>`${table.targetId}`.as("other_id"),
      since: sql<Date>`${table.createdAt}`.mapWith(table.createdAt).as("since"),
    })
    .from(table)
    .$dynamic();
  // `self` is decided before the query: for anyone else the list is empty (and 403).
  const owner = and(eq(table.ownerId, userId), sql`${userId === caller.id}::boolean`);
  const recent = page.take(query, owner, table.createdAt, table.targetId).as("recent");
  const list = selectUsers(db, caller, { since: recent.since }).innerJoin(recent, eq(users.id, recent.userId));
  const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)) };
  return selectWithFlags(db, flags, list.as("page"), { order: page });
};

/**
 * POST /users/{id}/blocking: one transaction, one round trip — the pair's locks (lockPair), then
 * the block (unless it exists: it keeps its first time), the follows between the two removed both
 * ways with both users' counts, their notifications, and their entries in each other's home timeline. Answers the
 * target User (raw row: userFromRow) with `inserted`.
 */
export const block = (caller: Caller, userId: number, targetId: number) => (db: Db) => [
  lockPair(db, caller, targetId),
  sqlOf(blockStatement(caller, userId, targetId)(db)),
];

const blockStatement = (caller: Caller, userId: number, targetId: number) => (db: Db) => {
  const pair = lockedPair(db, caller, targetId);
  const mayBlock = userId === caller.id;
  const both = sql`${mayBlock}::boolean AND (SELECT count(*) FROM ${pair}) = 2`;
  const inserted = db.$with("inserted", { targetId: blocks.targetId }).as(
    sql`INSERT INTO ${blocks} (${columnName(blocks.ownerId)}, ${columnName(blocks.targetId)})
          SELECT ${caller.id}, ${targetId} WHERE ${both}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(blocks.targetId)}`,
  );
  const between = (a: number, b: number) => and(eq(follows.followerId, a), eq(follows.followeeId, b));
  const unfollowed = db.$with("unfollowed").as(
    db
      .delete(follows)
      .where(and(or(between(caller.id, targetId), between(targetId, caller.id)), sql`${both}`))
      .returning({ followerId: follows.followerId, followeeId: follows.followeeId }),
  );
  const lost = (column: Column) => sql`(SELECT count(*) FROM ${unfollowed} WHERE ${column} = ${users.id})::int`;
  const counted = db.$with("counted").as(
    db
      .update(users)
      .set({
        followingCount: sql`${users.followingCount} - ${lost(unfollowed.followerId)}`,
        followersCount: sql`${users.followersCount} - ${lost(unfollowed.followeeId)}`,
      })
      .where(and(inArray(users.id, [caller.id, targetId]), sql`EXISTS (SELECT 1 FROM ${unfollowed})`))
      .returning({ id: users.id, followersCount: users.followersCount, followingCount: users.followingCount }),
  );
  const entries = (owner: number, other: number) =>
    and(eq(homeTimeline.userId, owner), or(eq(homeTimeline.authorId, other), eq(homeTimeline.repostedBy, other)));
  const purged = db.$with("purged").as(
    db
      .delete(homeTimeline)
      .where(
        and(or(entries(caller.id, targetId), entries(targetId, caller.id)), sql`EXISTS (SELECT 1 FROM ${unfollowed})`),
      )
      .returning({ tweetId: homeTimeline.tweetId }),
  );
  // A follow the block removed takes its notification with it.
  const unnotified = db.$with("unnotified").as(
    db
      .delete(notifications)
      .where(
        and(
          sql`${notifications.type} = ${typeLiteral("follow")}`,
          sql`(${notifications.recipientId}, ${notifications.actorId}) IN
                (SELECT ${unfollowed.followeeId}, ${unfollowed.followerId} FROM ${unfollowed})`,
        ),
      )
      .returning({ id: notifications.id }),
  );
  const now = (field: "followersCount" | "followingCount") =>
    sql<number>`coalesce((SELECT ${counted[field]} FROM ${counted} WHERE ${counted.id} = ${targetId}), ${users[field]})`;
  const target = selectUsers(db, caller, {
    followersCount: now("followersCount").as("followers_count"),
    followingCount: now("followingCount").as("following_count"),
    following: sql<boolean>`false`.as("following"),
    followedBy: sql<boolean>`false`.as("followed_by"),
    blocking: sql<boolean>`true`.as("blocking"),
  })
    .where(eq(users.id, targetId))
    .as("page");
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${pair} WHERE ${pair.id} = ${caller.id})`),
    inserted: flag("inserted", sql`EXISTS (SELECT 1 FROM ${inserted})`),
  };
  return selectWithFlags(db, flags, target, { withs: [pair, inserted, unfollowed, counted, purged, unnotified] });
};

/**
 * POST /users/{id}/muting: mutes unless already muting (the mute keeps its first time). Holds the
 * caller's row (FOR KEY SHARE, as the row's foreign key would) first, in the global lock order.
 */
export const mute = (caller: Caller, userId: number, targetId: number) => (db: Db) => {
  const owner = lockedCaller(db, "owner", caller, "key share");
  const inserted = db.$with("inserted", { targetId: mutes.targetId }).as(
    sql`INSERT INTO ${mutes} (${columnName(mutes.ownerId)}, ${columnName(mutes.targetId)})
          SELECT ${owner.id}, ${users.id} FROM ${owner}, ${users}
          WHERE ${users.id} = ${targetId} AND ${owner.id} = ${userId}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(mutes.targetId)}`,
  );
  const target = selectUsers(db, caller, { muting: sql<boolean>`true`.as("muting") })
    .where(eq(users.id, targetId))
    .as("page");
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${owner})`),
    inserted: flag("inserted", sql`EXISTS (SELECT 1 FROM ${inserted})`),
  };
  return selectWithFlags(db, flags, target, { withs: [owner, inserted] });
};

/** DELETE /users/{id}/blocking/{target} or /muting/{target}: removes the block or mute if present (no count changes). */
export const undo = (caller: Caller, userId: number, relation: Relation, targetId: number) => (db: Db) => {
  const table = tables[relation];
  const removed = db.$with("removed").as(
    db
      .delete(table)
      .where(
        and(
          eq(table.ownerId, caller.id),
          eq(table.targetId, targetId),
          sql`${userId === caller.id}::boolean`,
          sql`${callerOk(caller).getSQL()}`,
        ),
      )
      .returning({ targetId: table.targetId }),
  );
  return db
    .with(removed)
    .select({ callerOk: callerOk(caller), targetFound: flag("target_found", userExists(targetId)) })
    .from(flagsRow);
};
