import { eq, sql } from "drizzle-orm";
import type { Order, Page } from "../../db/keyset";
import { LIKE, markTweet, unmarkTweet } from "../../db/marks";
import { likes, tweets, users } from "../../db/schema";
import { callerOk, flag, flagsRow, selectWithFlags, tweetExists, userExists } from "../../db/sql";
import { markedTweets, selectTweets } from "../../models/tweet";
import { selectUsers } from "../../models/user";
import type { Caller, Db } from "../../types";

/**
 * The statements about likes, one per request. The lists take the page from the likes index first
 * (ORDER BY … LIMIT on likes alone; liked tweets through the bounded scan, markedTweets) and look up
 * each row's tweet or user by primary key, so a page costs the same at any table size.
 * `like_count` changes in the same statement as the row in `likes`: the UPDATE of the tweet takes
 * its row lock and re-reads the current count, so concurrent likes and unlikes add up exactly.
 */

/** Lists of likes: most recent like first, by the like's time, then the listed object's id. */
export const RECENT_LIKES: Order = { direction: "desc", at: "likedAt" };

/** GET /users/{id}/liked_tweets: most recently liked first (likes.created_at, then tweet id), the tweets the caller sees. */
export const likedTweets = (caller: Caller | undefined, userId: number, page: Page) => (db: Db) => {
  const { scan, list, flags } = markedTweets(db, caller, likes, userId, page, "likedAt");
  const found = flag("found", userExists(userId));
  return selectWithFlags(db, { callerOk: callerOk(caller), found, ...flags }, list, { order: page, withs: [scan] });
};

/** GET /tweets/{id}/liking_users: most recent like first (likes.created_at, then user id). */
export const likingUsers = (caller: Caller | undefined, tweetId: number, page: Page) => (db: Db) => {
  const query = db
    .select({ otherId: likes.userId, likedAt: sql<Date>`${likes.createdAt}`.mapWith(likes.createdAt).as("liked_at") })
    .from(likes)
    .$dynamic();
  const recent = page.take(query, eq(likes.tweetId, tweetId), likes.createdAt, likes.userId).as("recent");
  const list = selectUsers(db, caller, { likedAt: recent.likedAt }).innerJoin(recent, eq(users.id, recent.otherId));
  const flags = { callerOk: callerOk(caller), found: flag("found", tweetExists(tweetId)) };
  return selectWithFlags(db, flags, list.as("page"), { order: page });
};

/**
 * POST /users/{id}/likes: inserts the like unless it exists (the first like keeps its time) and
 * bumps like_count only when a row was inserted, and notifies the author of a new like (markTweet).
 * `inserted` tells 201 from 200.
 */
export const like = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const marked = markTweet(db, LIKE, caller, userId, tweetId);
  const tweet = selectTweets(db, caller, {
    likeCount: sql<number>`${marked.countNow}`.as("like_count"),
    liked: sql<boolean>`true`.as("liked"),
  }).where(eq(tweets.id, tweetId));
  const { callerOk, inserted, blocked } = marked.flags;
  return selectWithFlags(db, { callerOk, inserted, blocked }, tweet.as("page"), { withs: marked.withs });
};

/** DELETE /users/{id}/likes/{tweet_id}: removes the like if present, and like_count and its notification with it. */
export const unlike = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const unmarked = unmarkTweet(db, LIKE, caller, userId, tweetId);
  return db
    .with(...unmarked.withs)
    .select(unmarked.flags)
    .from(flagsRow);
};
