import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import {
  bare,
  callerOk,
  FLAGS,
  flag,
  flagged,
  newestFirst,
  olderThan,
  tweetColumns,
  tweetExists,
  userColumns,
  userExists,
} from "../../db/fragments";
import { likes, tweets, users } from "../../db/schema";
import type { Page } from "../../lib/pagination";
import type { Caller } from "../../middlewares/context";

/**
 * The statements about likes, one per request. The lists take the page from the likes index first
 * (ORDER BY … LIMIT on likes alone) and look up each row's tweet or user by primary key, so a page
 * costs the same at any table size. `like_count` changes in the same statement as the row in
 * `likes`: the UPDATE of the tweet takes its row lock and re-reads the current count, so concurrent
 * likes and unlikes add up exactly.
 */

/** The likes of one user or one tweet, most recent first: (created_at, other id) descending. */
const recentLikes = (db: Db, by: "user" | "tweet", id: number, page: Page) => {
  const other = by === "user" ? likes.tweetId : likes.userId;
  return db
    .select({ otherId: other, likedAt: sql<Date>`${likes.createdAt}`.mapWith(likes.createdAt).as("liked_at") })
    .from(likes)
    .where(and(eq(by === "user" ? likes.userId : likes.tweetId, id), olderThan(page.after, likes.createdAt, other)))
    .orderBy(desc(likes.createdAt), desc(other))
    .limit(page.limit + 1)
    .as("k");
};

/** GET /users/{id}/liked_tweets: most recently liked first (likes.created_at, then tweet id). */
export const likedTweets = (caller: Caller | undefined, userId: number, page: Page) => (db: Db) => {
  const k = recentLikes(db, "user", userId, page);
  const p = db
    .select({ ...tweetColumns(caller), likedAt: k.likedAt })
    .from(k)
    .innerJoin(tweets, eq(tweets.id, k.otherId))
    .innerJoin(users, eq(users.id, tweets.userId))
    .as("page");
  const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)) };
  return flagged(db, flags, p, { order: (x) => newestFirst(x.likedAt, x.id) });
};

/** GET /tweets/{id}/liking_users: most recent like first (likes.created_at, then user id). */
export const likingUsers = (caller: Caller | undefined, tweetId: number, page: Page) => (db: Db) => {
  const k = recentLikes(db, "tweet", tweetId, page);
  const p = db
    .select({ ...userColumns(caller), likedAt: k.likedAt })
    .from(k)
    .innerJoin(users, eq(users.id, k.otherId))
    .as("page");
  const flags = { callerOk: callerOk(caller), found: flag("found", tweetExists(tweetId)) };
  return flagged(db, flags, p, { order: (x) => newestFirst(x.likedAt, x.id) });
};

/**
 * The caller's own row, locked FOR KEY SHARE for the whole statement: an account deletion (which
 * locks it FOR UPDATE) waits for this write, and this write waits for it; `callerOk` is then read
 * from the row as it is after any such wait.
 */
const me = (db: Db, caller: Caller) =>
  db.$with("me").as(
    db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, caller.id), eq(users.tokenVersion, caller.version)))
      .for("key share"),
  );

/**
 * POST /users/{id}/likes: inserts the like unless it exists (the first like keeps its time) and
 * bumps like_count only when a row was inserted. `inserted` tells 201 from 200.
 */
export const like = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const liker = me(db, caller);
  const inserted = db.$with("inserted", { tweetId: likes.tweetId }).as(
    sql`INSERT INTO ${likes} (${bare(likes.userId)}, ${bare(likes.tweetId)})
          SELECT ${liker.id}, ${tweets.id} FROM ${liker}, ${tweets}
          WHERE ${tweets.id} = ${tweetId} AND ${liker.id} = ${userId}
          ON CONFLICT DO NOTHING
          RETURNING ${bare(likes.tweetId)}`,
  );
  const counted = db.$with("counted").as(
    db
      .update(tweets)
      .set({ likeCount: sql`${tweets.likeCount} + 1` })
      .where(sql`${tweets.id} = (SELECT ${inserted.tweetId} FROM ${inserted})`)
      .returning({ likeCount: tweets.likeCount }),
  );
  const p = db
    .select({
      ...tweetColumns(caller),
      likeCount: sql<number>`coalesce((SELECT ${counted.likeCount} FROM ${counted}), ${tweets.likeCount})`.as(
        "like_count",
      ),
      liked: sql<boolean>`true`.as("liked"),
    })
    .from(tweets)
    .innerJoin(users, eq(users.id, tweets.userId))
    .where(eq(tweets.id, tweetId))
    .as("page");
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${liker})`),
    allowed: flag("allowed", sql`${userId === caller.id}::boolean`),
    inserted: flag("inserted", sql`EXISTS (SELECT 1 FROM ${inserted})`),
  };
  return flagged(db, flags, p, { withs: [liker, inserted, counted] });
};

/** DELETE /users/{id}/likes/{tweet_id}: removes the like if present and drops like_count with it. */
export const unlike = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const liker = me(db, caller);
  const removed = db.$with("removed").as(
    db
      .delete(likes)
      .where(
        and(
          eq(likes.tweetId, tweetId),
          sql`${likes.userId} = (SELECT ${liker.id} FROM ${liker})`,
          eq(likes.userId, userId),
        ),
      )
      .returning({ tweetId: likes.tweetId }),
  );
  const counted = db.$with("counted").as(
    db
      .update(tweets)
      .set({ likeCount: sql`${tweets.likeCount} - 1` })
      .where(sql`${tweets.id} = (SELECT ${removed.tweetId} FROM ${removed})`)
      .returning({ id: tweets.id }),
  );
  return db
    .with(liker, removed, counted)
    .select({
      callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${liker})`),
      allowed: flag("allowed", sql`${userId === caller.id}::boolean`),
      found: flag("found", tweetExists(tweetId)),
    })
    .from(FLAGS);
};
