import { and, eq, ne, type SQLWrapper, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { bookmarks, celebrities, fanoutOutbox, likes, tweets, users } from "../../db/schema";
import {
  callerOk,
  columnName,
  eitherBlocks,
  flag,
  flagsRow,
  lockedCaller,
  selectWithFlags,
  userExists,
} from "../../db/sql";
import { selectTweets, visibleTo, visibleTweets } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/** GET /tweets: newest first (created_at, then id, descending). */
export const listTweets = (caller: Caller | undefined, page: Page) => (db: Db) => {
  const { scan, list, flags } = visibleTweets(db, caller, page, undefined);
  return selectWithFlags(db, { callerOk: callerOk(caller), ...flags }, list, { order: page, withs: [scan] });
};

/** GET /users/{id}/tweets: one author's tweets, newest first, and whether the author exists. */
export const userTweets = (caller: Caller | undefined, userId: number, page: Page) => (db: Db) => {
  // One author: when the caller may not see them, no row of theirs is read at all (the list is empty, and ends).
  const theirs = and(eq(tweets.userId, userId), visibleTo(caller, sql`${userId}::int`));
  const { scan, list, flags } = visibleTweets(db, caller, page, theirs);
  const found = flag("found", userExists(userId));
  return selectWithFlags(db, { callerOk: callerOk(caller), found, ...flags }, list, { order: page, withs: [scan] });
};

/** GET /tweets/{id}. */
export const tweetById = (caller: Caller | undefined, id: number) => (db: Db) =>
  selectWithFlags(db, { callerOk: callerOk(caller) }, selectTweets(db, caller).where(eq(tweets.id, id)).as("page"));

export type NewTweetInput = {
  content: string;
  idempotencyKey: string | undefined;
  /** SHA-256 (hex) of what the request asks for, stored with its idempotency key. */
  requestHash: string | undefined;
  /** `user_id` was absent or the caller's own (decided before the query: nothing is written otherwise). */
  allowed: boolean;
  inReplyTo: number | undefined;
};

/**
 * POST /tweets, one statement:
 * - lock the author's row (the tweet count changes; an account deletion waits for this, see
 *   users.queries.ts) and, for a reply, the parent's (its reply count changes; a parent deleted
 *   meanwhile is not found, and the reply is not written: 404; nor is it when a block stands
 *   between the caller and the parent's author: `blocked`, 403);
 * - insert the tweet; with an Idempotency-Key, a retry (also a concurrent one) hits the unique
 *   (user_id, idempotency_key) index, and ON CONFLICT DO UPDATE returns the first request's row
 *   (`inserted` false) instead of a second tweet; the key reused with another request (another
 *   request hash) inserts nothing and says so (`key_reused`: 422), before any 404 of the parent;
 * - only for a new row: count it on the author and the parent, and write the fan-out outbox row
 *   when the author has followers whose timelines take it (see src/fanout).
 */
export const createTweet = (caller: Caller, input: NewTweetInput) => (db: Db) => {
  const author = lockedCaller(db, "author", caller, "no key update");
  const parent = db.$with("parent").as(
    db
      .select({
        id: tweets.id,
        conversationId: sql<number>`coalesce(${tweets.conversationId}, ${tweets.id})`.as("conversation_id"),
        blocked: eitherBlocks(caller.id, tweets.userId).as("blocked"),
      })
      .from(tweets)
      .where(eq(tweets.id, input.inReplyTo ?? 0))
      .for("no key update"),
  );
  const replying = input.inReplyTo !== undefined;
  // The tweet an earlier request created with this key, whatever this request asks (a reply to a
  // missing tweet included): its request hash tells a retry from the key reused with another body.
  const prior = db.$with("prior").as(
    db
      .select({ requestHash: tweets.requestHash })
      .from(tweets)
      .where(
        and(
          eq(tweets.userId, caller.id),
          input.idempotencyKey === undefined ? sql`false` : eq(tweets.idempotencyKey, input.idempotencyKey),
        ),
      ),
  );
  const hash = sql`${input.requestHash ?? null}::varchar`;
  // NULL (a tweet from before request hashes) is taken for a retry, as it was then.
  const otherRequest = (h: SQLWrapper) => sql`${h} IS NOT NULL AND ${h} <> ${hash}`;
  const created = db
    .$with("created", {
      id: tweets.id,
      content: tweets.content,
      createdAt: tweets.createdAt,
      userId: tweets.userId,
      likeCount: tweets.likeCount,
      inReplyToTweetId: tweets.inReplyToTweetId,
      conversationId: sql<number>`conversation_id`.as("conversation_id"),
      replyCount: tweets.replyCount,
      requestHash: tweets.requestHash,
      inserted: sql<boolean>`inserted`.as("inserted"),
    })
    .as(
      sql`INSERT INTO ${tweets} (${columnName(tweets.userId)}, ${columnName(tweets.content)}, ${columnName(tweets.idempotencyKey)},
                                 ${columnName(tweets.inReplyToTweetId)}, ${columnName(tweets.conversationId)}, ${columnName(tweets.requestHash)})
          SELECT ${author.id}, ${input.content}, ${input.idempotencyKey ?? null}::varchar, ${parent.id}, ${parent.conversationId}, ${hash}
          FROM ${author} LEFT JOIN ${parent} ON true
          WHERE ${input.allowed}::boolean ${replying ? sql`AND ${parent.id} IS NOT NULL AND NOT ${parent.blocked}` : sql``}
            AND NOT EXISTS (SELECT 1 FROM ${prior} WHERE ${otherRequest(prior.requestHash)})
          ON CONFLICT (${columnName(tweets.userId)}, ${columnName(tweets.idempotencyKey)})
            DO UPDATE SET ${columnName(tweets.idempotencyKey)} = excluded.${columnName(tweets.idempotencyKey)}
          RETURNING ${columnName(tweets.id)}, ${columnName(tweets.content)}, ${columnName(tweets.createdAt)}, ${columnName(tweets.userId)},
                    ${columnName(tweets.likeCount)}, ${columnName(tweets.inReplyToTweetId)},
                    coalesce(${columnName(tweets.conversationId)}, ${columnName(tweets.id)}) AS conversation_id,
                    ${columnName(tweets.replyCount)}, ${columnName(tweets.requestHash)},
                    -- A row this statement wrote has no xmax; one returned by ON CONFLICT DO UPDATE has.
                    (xmax = 0) AS inserted`,
    );
  const isNew = sql`(SELECT ${created.id} FROM ${created} WHERE ${created.inserted})`;
  const counted = db.$with("counted").as(
    db
      .update(users)
      .set({ tweetCount: sql`${users.tweetCount} + 1` })
      .where(sql`${users.id} = (SELECT ${created.userId} FROM ${created} WHERE ${created.inserted})`)
      .returning({ id: users.id }),
  );
  const replyCounted = db.$with("reply_counted").as(
    db
      .update(tweets)
      .set({ replyCount: sql`${tweets.replyCount} + 1` })
      .where(sql`${tweets.id} = (SELECT ${created.inReplyToTweetId} FROM ${created} WHERE ${created.inserted})`)
      .returning({ id: tweets.id }),
  );
  const fansOut = sql`(SELECT ${author.followersCount} > 0 FROM ${author})
    AND NOT EXISTS (SELECT 1 FROM ${celebrities} WHERE ${celebrities.userId} = ${caller.id})`;
  const outbox = db.$with("outbox", { tweetId: fanoutOutbox.tweetId }).as(
    sql`INSERT INTO ${fanoutOutbox} (${columnName(fanoutOutbox.tweetId)})
          SELECT ${isNew} WHERE ${isNew} IS NOT NULL AND ${fansOut}
          RETURNING ${columnName(fanoutOutbox.tweetId)}`,
  );
  // The new row is not visible to this statement's reads of `tweets`: the Tweet is built from RETURNING.
  const tweet = db
    .select({
      id: created.id,
      content: created.content,
      createdAt: created.createdAt,
      userId: created.userId,
      username: author.username,
      likeCount: created.likeCount,
      inReplyToTweetId: created.inReplyToTweetId,
      conversationId: created.conversationId,
      replyCount: created.replyCount,
      liked: flag(
        "liked",
        sql`EXISTS (SELECT 1 FROM ${likes} WHERE ${likes.tweetId} = ${created.id} AND ${likes.userId} = ${caller.id})`,
      ),
      // An Idempotency-Key retry returns the first request's tweet, which may have been bookmarked since.
      bookmarked: flag(
        "bookmarked",
        sql`EXISTS (SELECT 1 FROM ${bookmarks} WHERE ${bookmarks.userId} = ${caller.id} AND ${bookmarks.tweetId} = ${created.id})`,
      ),
    })
    .from(created)
    .innerJoin(author, sql`true`)
    .as("page");
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${author})`),
    targetFound: flag("target_found", replying ? sql`EXISTS (SELECT 1 FROM ${parent})` : sql`true`),
    blocked: flag("blocked", sql`EXISTS (SELECT 1 FROM ${parent} WHERE ${parent.blocked})`),
    fanout: flag("fanout", sql`EXISTS (SELECT 1 FROM ${outbox})`),
    // Also when a concurrent first request committed after this statement's snapshot (ON CONFLICT returned it).
    keyReused: flag(
      "key_reused",
      sql`EXISTS (SELECT 1 FROM ${prior} WHERE ${otherRequest(prior.requestHash)})
        OR EXISTS (SELECT 1 FROM ${created} WHERE NOT ${created.inserted} AND ${otherRequest(created.requestHash)})`,
    ),
  };
  return selectWithFlags(db, flags, tweet, { withs: [author, parent, prior, created, counted, replyCounted, outbox] });
};

/**
 * DELETE /tweets/{id}: revocation, existence, authorship and the delete in one statement; the
 * author's tweet count and the parent's reply count drop with it. Its likes go by cascade; its
 * replies stay, their in_reply_to_tweet_id and conversation_id unchanged.
 */
export const deleteTweet = (caller: Caller, id: number) => (db: Db) => {
  const author = lockedCaller(db, "author", caller, "no key update");
  const gone = db.$with("gone").as(
    db
      .delete(tweets)
      .where(and(eq(tweets.id, id), sql`${tweets.userId} = (SELECT ${author.id} FROM ${author})`))
      .returning({ userId: tweets.userId, inReplyToTweetId: tweets.inReplyToTweetId }),
  );
  const counted = db.$with("counted").as(
    db
      .update(users)
      .set({ tweetCount: sql`${users.tweetCount} - 1` })
      .where(sql`${users.id} = (SELECT ${gone.userId} FROM ${gone})`)
      .returning({ id: users.id }),
  );
  const parent = db.$with("parent").as(
    db
      .update(tweets)
      .set({ replyCount: sql`${tweets.replyCount} - 1` })
      .where(sql`${tweets.id} = (SELECT ${gone.inReplyToTweetId} FROM ${gone})`)
      .returning({ id: tweets.id }),
  );
  return db
    .with(author, gone, counted, parent)
    .select({
      callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${author})`),
      found: flag("found", sql`EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${id})`),
      // Forbidden only when the tweet is someone else's (a tweet deleted meanwhile is simply gone).
      allowed: flag(
        "allowed",
        sql`NOT EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${id} AND ${ne(tweets.userId, caller.id)})`,
      ),
      deleted: flag("deleted", sql`EXISTS (SELECT 1 FROM ${gone})`),
    })
    .from(flagsRow);
};
