import { eq, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { BOOKMARK, markTweet, unmarkTweet } from "../../db/marks";
import { bookmarks, tweets } from "../../db/schema";
import { callerOk, flag, flagsRow, selectWithFlags, userExists } from "../../db/sql";
import { markedTweets, selectTweets } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/**
 * The statements about bookmarks, one per request. Bookmarks are private and counted nowhere: no
 * count to keep, only the caller's row to hold (markTweet: FOR KEY SHARE, as the row's foreign key
 * would) so that an account deletion waits for a bookmark in flight or the bookmark finds the account gone.
 */

/**
 * GET /users/{id}/bookmarks: most recently bookmarked first (bookmarks.created_at, then tweet id),
 * the tweets the caller sees; only for the owner (`self`, decided before the query: for anyone
 * else the list is empty, and 403).
 */
export const bookmarkList = (caller: Caller, userId: number, page: Page) => (db: Db) => {
  const owner = userId === caller.id ? userId : 0;
  const { scan, list, flags } = markedTweets(db, caller, bookmarks, owner, page, "bookmarkedAt");
  const found = flag("found", userExists(userId));
  return selectWithFlags(db, { callerOk: callerOk(caller), found, ...flags }, list, { order: page, withs: [scan] });
};

/** POST /users/{id}/bookmarks: inserts the bookmark unless it exists (the first keeps its time); `inserted` tells 201 from 200. */
export const bookmark = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const marked = markTweet(db, BOOKMARK, caller, userId, tweetId);
  const tweet = selectTweets(db, caller, { bookmarked: sql<boolean>`true`.as("bookmarked") }).where(
    eq(tweets.id, tweetId),
  );
  const { callerOk, inserted } = marked.flags;
  return selectWithFlags(db, { callerOk, inserted }, tweet.as("page"), { withs: marked.withs });
};

/** DELETE /users/{id}/bookmarks/{tweet_id}: removes the bookmark if present. */
export const unbookmark = (caller: Caller, userId: number, tweetId: number) => (db: Db) => {
  const unmarked = unmarkTweet(db, BOOKMARK, caller, userId, tweetId);
  return db
    .with(...unmarked.withs)
    .select(unmarked.flags)
    .from(flagsRow);
};
