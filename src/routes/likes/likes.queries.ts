import { and, eq, sql } from "drizzle-orm";
import type { Order, Page } from "../../db/keyset";
import { lockedAuthor, notify, unnotify } from "../../db/notifications";
import { likes, tweets, users } from "../../db/schema";
import {
  callerOk,
  columnName,
  flag,
  flagsRow,
  lockedCaller,
  selectWithFlags,
  tweetExists,
  userExists,
} from "../../db/sql";
import { selectTweets } from "../../models/tweet";
import { selectUsers } from "../../models/user";
import type { Caller, Db } from "../../types";

/**
 * The statements about likes, one per request. The lists take the page from the likes index first
 * (ORDER BY … LIMIT on likes alone) and look up each row's tweet or user by primary key, so a page
 * costs the same at any table size. `like_count` changes in the same statement as the row in
 * `likes`: the UPDATE of the tweet takes its row lock and re-reads the current count, so concurrent
 * likes and unlikes add up exactly.
 */

/** Lists of likes: most recent like first, by the like's time, then the listed object's id. */
export const RECENT_LIKES: Order = { direction: "desc", at: "likedAt" };

/** The likes of one user or one tweet, most recent first: (created_at, other id) descending. */
const recentLikes = (db: Db, by: "user" | "tweet", id: number, page: Page) => {
  const other = by === "user" ? likes.tweetId : likes.userId;
  const query = db
    .select({ otherId: other, likedAt: sql<Date>`${likes.createdAt}`.mapWith(likes.createdAt).as("liked_at") })
    .from(likes)
    .$dynamic();
  return page.take(query, eq(by === "user" ? likes.userId : likes.tweetId, id), likes.createdAt, other).as("recent");
};

/** GET /users/{id}/liked_tweets: most recently liked first (likes.created_at, then tweet id). */
export const likedTweets = (caller: Caller | undefined, userId: number, page: Page) => (db: Db) => {
  const recent = recentLikes(db, "user", userId, page);
  const list = selectTweets(db, caller, { likedAt: recent.likedAt }).innerJoin(recent, eq(tweets.id, recent.otherId));
  const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)) };
  return selectWithFlags(db, flags, list.as("page"), { order: page });
};

/** GET /tweets/{id}/liking_users: most recent like first (likes.created_at, then user id). */
export const likingUsers = (caller: Caller | undefined, tweetId: number, page: Page) => (db: Db) => {
  const recent = recentLikes(db, "tweet", tweetId, page);
  const list = selectUsers(db, caller, { likedAt: recent.likedAt }).innerJoin(recent, eq(users.id, recent.otherId));
  const flags = { callerOk: callerOk(caller), found: flag("found", tweetExists(tweetId)) };
  return selectWithFlags(db, flags, list.as("page"), { order: page });
};

/**
 * POST /users/{id}/likes: inserts the like unless it exists (the first like keeps its time) and
 * bumps like_count only when a row was inserted, and notifies the tweet's author of a new like.
 * `inserted` tells 201 from 200.
 */
export const like = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const liker = lockedCaller(db, "liker", caller, "key share");
  const author = lockedAuthor(db, "author", tweetId, sql`EXISTS (SELECT 1 FROM ${liker})`);
  const inserted = db.$with("inserted", { tweetId: likes.tweetId }).as(
    sql`INSERT INTO ${likes} (${columnName(likes.userId)}, ${columnName(likes.tweetId)})
          SELECT ${liker.id}, ${tweets.id} FROM ${liker}, ${author}, ${tweets}
          WHERE ${tweets.id} = ${tweetId} AND ${tweets.userId} = ${author.id} AND ${liker.id} = ${userId}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(likes.tweetId)}`,
  );
  const notified = notify(db, "notified", [
    { type: "like", rows: sql`SELECT ${author.id}, ${caller.id}, ${inserted.tweetId} FROM ${inserted}, ${author}` },
  ]);
  const counted = db.$with("counted").as(
    db
      .update(tweets)
      .set({ likeCount: sql`${tweets.likeCount} + 1` })
      .where(sql`${tweets.id} = (SELECT ${inserted.tweetId} FROM ${inserted})`)
      .returning({ likeCount: tweets.likeCount }),
  );
  const tweet = selectTweets(db, caller, {
    likeCount: sql<number>`coalesce((SELECT ${counted.likeCount} FROM ${counted}), ${tweets.likeCount})`.as(
      "like_count",
    ),
    liked: sql<boolean>`true`.as("liked"),
  }).where(eq(tweets.id, tweetId));
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${liker})`),
    inserted: flag("inserted", sql`EXISTS (SELECT 1 FROM ${inserted})`),
  };
  return selectWithFlags(db, flags, tweet.as("page"), { withs: [liker, author, inserted, counted, notified] });
};

/** DELETE /users/{id}/likes/{tweet_id}: removes the like if present, and like_count and its notification with it. */
export const unlike = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const liker = lockedCaller(db, "liker", caller, "key share");
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
      .returning({ id: tweets.id, userId: tweets.userId }),
  );
  const unnotified = unnotify(
    db,
    "unnotified",
    "like",
    { recipient: sql`(SELECT ${counted.userId} FROM ${counted})`, actor: caller.id, tweet: tweetId },
    sql`EXISTS (SELECT 1 FROM ${counted})`,
  );
  return db
    .with(liker, removed, counted, unnotified)
    .select({
      callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${liker})`),
      targetFound: flag("target_found", tweetExists(tweetId)),
    })
    .from(flagsRow);
};
