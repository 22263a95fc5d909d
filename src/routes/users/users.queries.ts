import { and, eq, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { follows, homeTimeline, likes, reposts, tweets, users } from "../../db/schema";
import { callerOk, columnName, flag, flagsRow, selectWithFlags, userExists } from "../../db/sql";
import { selectUsers, userColumns } from "../../models/user";
import type { Caller, Db } from "../../types";

/** The statements of /users: one per request (account deletion: one transaction, one round trip). */

/** GET /users: id ascending. */
export const listUsers = (caller: Caller | undefined, page: Page) => (db: Db) => {
  const list = page.take(selectUsers(db, caller), undefined, undefined, users.id);
  return selectWithFlags(db, { callerOk: callerOk(caller) }, list.as("page"), { order: page });
};

const oneUser = (caller: Caller | undefined, where: ReturnType<typeof eq>) => (db: Db) => {
  return selectWithFlags(db, { callerOk: callerOk(caller) }, selectUsers(db, caller).where(where).as("page"));
};

/** GET /users/{id}. */
export const userById = (caller: Caller | undefined, id: number) => oneUser(caller, eq(users.id, id));

/** GET /users/by/username/{username}: case-insensitive, by the `lower(username)` unique index. */
export const userByUsername = (caller: Caller | undefined, username: string) =>
  oneUser(caller, eq(sql`lower(${users.username})`, username.toLowerCase()));

/** POST /users: nothing when the username is taken (any case). */
export const createUser = (username: string, passwordHash: string) => (db: Db) =>
  db.insert(users).values({ username, passwordHash }).onConflictDoNothing().returning(userColumns(undefined));

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
        item: updated._.selectedFields,
      })
      .from(flagsRow)
      .leftJoin(updated, sql`true`);
  };

/**
 * DELETE /users/{id}: two statements, one transaction, one round trip.
 *
 * 1. Lock the user's row (FOR UPDATE). Every write that adds a row counted on this user's behalf —
 *    a like, a repost, a follow either way, a tweet (a reply, a quote) — holds a lock on this row from its first step (see
 *    "Exact counts" in the README), so the lock waits for those in flight to commit and keeps new
 *    ones out until this transaction ends.
 * 2. Then, in a new snapshot that sees every such row, remove the user's likes, reposts, follows,
 *    replies' and quotes' counts and timeline, fix every count they contributed to, and delete the user (which cascades
 *    to their tweets and the likes on them). Each counted row is seen exactly once.
 */
export const deleteUser = (caller: Caller, id: number) => {
  const self = sql`${users.id} = ${id} AND ${users.id} = ${caller.id} AND ${users.tokenVersion} = ${caller.version}`;
  const lock = sql`WITH target AS (SELECT ${users.id} FROM ${users} WHERE ${self} FOR UPDATE)
    SELECT ${callerOk(caller).getSQL()} AS caller_ok,
           ${userExists(id)} AS found,
           -- Selected so that the CTE runs: an unreferenced one would take no lock.
           EXISTS (SELECT 1 FROM target) AS locked`;
  const remove = sql`WITH target AS (SELECT ${users.id} AS id FROM ${users} WHERE ${self}),
    gone_likes AS (
      DELETE FROM ${likes} WHERE ${likes.userId} = (SELECT id FROM target) RETURNING ${likes.tweetId} AS tweet_id),
    gone_reposts AS (
      DELETE FROM ${reposts} WHERE ${reposts.userId} = (SELECT id FROM target) RETURNING ${reposts.tweetId} AS tweet_id),
    gone_replies AS (
      SELECT ${tweets.inReplyToTweetId} AS tweet_id FROM ${tweets}
      WHERE ${tweets.userId} = (SELECT id FROM target) AND ${tweets.inReplyToTweetId} IS NOT NULL),
    gone_quotes AS (
      SELECT ${tweets.quotedTweetId} AS tweet_id FROM ${tweets}
      WHERE ${tweets.userId} = (SELECT id FROM target) AND ${tweets.quotedTweetId} IS NOT NULL),
    gone_following AS (
      DELETE FROM ${follows} WHERE ${follows.followerId} = (SELECT id FROM target)
      RETURNING ${follows.followeeId} AS user_id, 'followers' AS kind),
    gone_followers AS (
      DELETE FROM ${follows} WHERE ${follows.followeeId} = (SELECT id FROM target)
      RETURNING ${follows.followerId} AS user_id, 'following' AS kind),
    user_counts AS (
      UPDATE ${users} SET
        ${columnName(users.followersCount)} = ${users.followersCount} - d.followers,
        ${columnName(users.followingCount)} = ${users.followingCount} - d.following
      FROM (SELECT user_id, count(*) FILTER (WHERE kind = 'followers')::int AS followers,
                   count(*) FILTER (WHERE kind = 'following')::int AS following
            FROM (SELECT * FROM gone_following UNION ALL SELECT * FROM gone_followers) AS g
            GROUP BY user_id) AS d
      WHERE ${users.id} = d.user_id
      RETURNING ${users.id}),
    tweet_counts AS (
      UPDATE ${tweets} SET
        ${columnName(tweets.likeCount)} = ${tweets.likeCount} - d.likes,
        ${columnName(tweets.replyCount)} = ${tweets.replyCount} - d.replies,
        ${columnName(tweets.repostCount)} = ${tweets.repostCount} - d.reposts,
        ${columnName(tweets.quoteCount)} = ${tweets.quoteCount} - d.quotes
      FROM (SELECT tweet_id, count(*) FILTER (WHERE kind = 'like')::int AS likes,
                   count(*) FILTER (WHERE kind = 'reply')::int AS replies,
                   count(*) FILTER (WHERE kind = 'repost')::int AS reposts,
                   count(*) FILTER (WHERE kind = 'quote')::int AS quotes
            FROM (SELECT tweet_id, 'like' AS kind FROM gone_likes
                  UNION ALL SELECT tweet_id, 'reply' FROM gone_replies
                  UNION ALL SELECT tweet_id, 'repost' FROM gone_reposts
                  UNION ALL SELECT tweet_id, 'quote' FROM gone_quotes) AS g
            GROUP BY tweet_id) AS d
      -- After user_counts: other users' rows are locked before any tweet's (README, "Exact counts").
      WHERE ${tweets.id} = d.tweet_id AND ${tweets.userId} <> ${id} AND (SELECT count(*) FROM user_counts) >= 0),
    gone_timeline AS (DELETE FROM ${homeTimeline} WHERE ${homeTimeline.userId} = (SELECT id FROM target)),
    deleted AS (DELETE FROM ${users} WHERE ${users.id} = (SELECT id FROM target) RETURNING ${users.id})
    SELECT EXISTS (SELECT 1 FROM deleted) AS deleted`;
  return [lock, remove];
};
