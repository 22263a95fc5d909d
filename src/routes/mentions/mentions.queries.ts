import { eq } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { mentions, tweets } from "../../db/schema";
import { callerOk, flag, selectWithFlags, userExists } from "../../db/sql";
import { selectTweets } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/**
 * GET /users/{id}/mentions: the tweets whose counted mentions name the user, newest first. The page
 * is one range of the mentions index (which copies the tweet's created_at, so its order is the
 * tweets' order: NEWEST_TWEETS), then each tweet by primary key.
 */
export const mentionsOf = (caller: Caller | undefined, userId: number, page: Page) => (db: Db) => {
  const query = db.select({ tweetId: mentions.tweetId }).from(mentions).$dynamic();
  const recent = page.take(query, eq(mentions.userId, userId), mentions.createdAt, mentions.tweetId).as("recent");
  const list = selectTweets(db, caller).innerJoin(recent, eq(tweets.id, recent.tweetId));
  const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)) };
  return selectWithFlags(db, flags, list.as("page"), { order: page });
};
