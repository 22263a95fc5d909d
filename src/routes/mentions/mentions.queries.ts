import type { Page } from "../../db/keyset";
import { mentions } from "../../db/schema";
import { callerOk, flag, selectWithFlags, userExists } from "../../db/sql";
import { markedTweets } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/**
 * GET /users/{id}/mentions: the tweets whose counted mentions name the user, newest first, those the
 * caller sees. The page is the bounded scan of the mentions index (which copies the tweet's
 * created_at, so its order is the tweets' order), then each tweet by primary key (markedTweets).
 */
export const mentionsOf = (caller: Caller | undefined, userId: number, page: Page) => (db: Db) => {
  const { scan, list, flags } = markedTweets(db, caller, mentions, userId, page, "mentionedAt");
  const found = flag("found", userExists(userId));
  return selectWithFlags(db, { callerOk: callerOk(caller), found, ...flags }, list, { order: page, withs: [scan] });
};
