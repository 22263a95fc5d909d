import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { bare, callerOk, FLAGS, flag, flagged, ON, userColumns, userExists } from "../../db/fragments";
import { follows, homeTimeline, likes, tweets, users } from "../../db/schema";
import type { Page } from "../../lib/pagination";
import type { Caller } from "../../middlewares/context";

/** The statements of /users: one per request (account deletion: one transaction, one round trip). */

/** GET /users: id ascending. */
export const listUsers = (caller: Caller | undefined, page: Page) => (db: Db) => {
  const p = db
    .select(userColumns(caller))
    .from(users)
    .where(gt(users.id, page.after?.id ?? 0))
    .orderBy(asc(users.id))
    .limit(page.limit + 1)
    .as("page");
  return flagged(db, { callerOk: callerOk(caller) }, p, { order: (x) => [asc(x.id)] });
};

const oneUser = (caller: Caller | undefined, where: ReturnType<typeof eq>) => (db: Db) => {
  const p = db.select(userColumns(caller)).from(users).where(where).as("page");
  return flagged(db, { callerOk: callerOk(caller) }, p);
};

/** GET /users/{id}. */
export const userById = (caller: Caller | undefined, id: number) => oneUser(caller, eq(users.id, id));

/** GET /users/by/username/{username}: case-insensitive, by the `lower(username)` unique index. */
export const userByUsername = (caller: Caller | undefined, username: string) =>
  oneUser(caller, eq(sql`lower(${users.username})`, username.toLowerCase()));

/** POST /users: nothing when the username is taken (any case). */
export const createUser = (username: string, passwordHash: string) => (db: Db) =>
  db.insert(users).values({ username, passwordHash }).onConflictDoNothing().returning(userColumns(undefined));

/** POST /auth/login: the user, their password hash and token version, by username (any case). */
export const loginUser = (username: string) => (db: Db) =>
  db
    .select({ item: userColumns(undefined), passwordHash: users.passwordHash, tokenVersion: users.tokenVersion })
    .from(users)
    .where(eq(sql`lower(${users.username})`, username.toLowerCase()));

/** After a login that verified a hash of older parameters: store the new hash, unless it changed meanwhile. */
export const rehashPassword = (id: number, oldHash: string, newHash: string) => (db: Db) =>
  db
    .update(users)
    .set({ passwordHash: newHash })
    .where(and(eq(users.id, id), eq(users.passwordHash, oldHash)))
    .returning({ id: users.id });

/**
 * PATCH/PUT /users/{id}: revocation, existence, authorization and the update in one statement.
 * A new password bumps token_version, which revokes every earlier token.
 */
export const updateUser =
  (caller: Caller, id: number, changes: { username?: string; passwordHash?: string }) => (db: Db) => {
    const updated = db.$with("updated").as(
      db
        .update(users)
        .set({
          username: changes.username,
          passwordHash: changes.passwordHash,
          tokenVersion: changes.passwordHash ? sql`${users.tokenVersion} + 1` : undefined,
        })
        .where(and(eq(users.id, id), eq(users.id, caller.id), eq(users.tokenVersion, caller.version)))
        .returning(userColumns(caller)),
    );
    return db
      .with(updated)
      .select({
        callerOk: callerOk(caller),
        found: flag("found", userExists(id)),
        allowed: flag("allowed", sql`${id === caller.id}::boolean`),
        item: updated._.selectedFields,
      })
      .from(FLAGS)
      .leftJoin(updated, ON);
  };

/**
 * DELETE /users/{id}: two statements, one transaction, one round trip.
 *
 * 1. Lock the user's row (FOR UPDATE). Every write that adds a row counted on this user's behalf —
 *    a like, a follow either way, a tweet — holds a lock on this row from its first step (see
 *    "Exact counts" in the README), so the lock waits for those in flight to commit and keeps new
 *    ones out until this transaction ends.
 * 2. Then, in a new snapshot that sees every such row, remove the user's likes, follows, replies'
 *    counts and timeline, fix every count they contributed to, and delete the user (which cascades
 *    to their tweets and the likes on them). Each counted row is seen exactly once.
 */
export const deleteUser = (caller: Caller, id: number) => {
  const self = sql`${users.id} = ${id} AND ${users.id} = ${caller.id} AND ${users.tokenVersion} = ${caller.version}`;
  const lock = sql`WITH target AS (SELECT ${users.id} FROM ${users} WHERE ${self} FOR UPDATE)
    SELECT ${callerOk(caller).getSQL()} AS caller_ok,
           ${userExists(id)} AS found,
           EXISTS (SELECT 1 FROM target) AS allowed`;
  const remove = sql`WITH target AS (SELECT ${users.id} AS id FROM ${users} WHERE ${self}),
    gone_likes AS (
      DELETE FROM ${likes} WHERE ${likes.userId} = (SELECT id FROM target) RETURNING ${likes.tweetId} AS tweet_id),
    gone_replies AS (
      SELECT ${tweets.inReplyToTweetId} AS tweet_id FROM ${tweets}
      WHERE ${tweets.userId} = (SELECT id FROM target) AND ${tweets.inReplyToTweetId} IS NOT NULL),
    tweet_counts AS (
      UPDATE ${tweets} SET
        ${bare(tweets.likeCount)} = ${tweets.likeCount} - d.likes,
        ${bare(tweets.replyCount)} = ${tweets.replyCount} - d.replies
      FROM (SELECT tweet_id, count(*) FILTER (WHERE kind = 'like')::int AS likes,
                   count(*) FILTER (WHERE kind = 'reply')::int AS replies
            FROM (SELECT tweet_id, 'like' AS kind FROM gone_likes
                  UNION ALL SELECT tweet_id, 'reply' FROM gone_replies) AS g
            GROUP BY tweet_id) AS d
      WHERE ${tweets.id} = d.tweet_id AND ${tweets.userId} <> ${id}),
    gone_following AS (
      DELETE FROM ${follows} WHERE ${follows.followerId} = (SELECT id FROM target)
      RETURNING ${follows.followeeId} AS user_id, 'followers' AS kind),
    gone_followers AS (
      DELETE FROM ${follows} WHERE ${follows.followeeId} = (SELECT id FROM target)
      RETURNING ${follows.followerId} AS user_id, 'following' AS kind),
    user_counts AS (
      UPDATE ${users} SET
        ${bare(users.followersCount)} = ${users.followersCount} - d.followers,
        ${bare(users.followingCount)} = ${users.followingCount} - d.following
      FROM (SELECT user_id, count(*) FILTER (WHERE kind = 'followers')::int AS followers,
                   count(*) FILTER (WHERE kind = 'following')::int AS following
            FROM (SELECT * FROM gone_following UNION ALL SELECT * FROM gone_followers) AS g
            GROUP BY user_id) AS d
      WHERE ${users.id} = d.user_id),
    gone_timeline AS (DELETE FROM ${homeTimeline} WHERE ${homeTimeline.userId} = (SELECT id FROM target)),
    deleted AS (DELETE FROM ${users} WHERE ${users.id} = (SELECT id FROM target) RETURNING ${users.id})
    SELECT EXISTS (SELECT 1 FROM deleted) AS deleted`;
  return [lock, remove];
};
