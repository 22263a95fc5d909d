import { and, asc, eq, ne, type SQLWrapper, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { notify } from "../../db/notifications";
import { celebrities, fanoutOutbox, likes, mentions, tweets, users } from "../../db/schema";
import { callerOk, columnName, flag, flagsRow, lockedCaller, selectWithFlags, userExists } from "../../db/sql";
import { MAX_MENTIONS } from "../../lib/mentions";
import { selectTweets } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/** GET /tweets: newest first (created_at, then id, descending). */
export const listTweets = (caller: Caller | undefined, page: Page) => (db: Db) => {
  const list = page.take(selectTweets(db, caller), undefined, tweets.createdAt, tweets.id);
  return selectWithFlags(db, { callerOk: callerOk(caller) }, list.as("page"), { order: page });
};

/** GET /users/{id}/tweets: one author's tweets, newest first, and whether the author exists. */
export const userTweets = (caller: Caller | undefined, userId: number, page: Page) => (db: Db) => {
  const list = page.take(selectTweets(db, caller), eq(tweets.userId, userId), tweets.createdAt, tweets.id);
  const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)) };
  return selectWithFlags(db, flags, list.as("page"), { order: page });
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
  /** The names the content mentions (mentionedNames: lower-cased, distinct, in order). */
  mentions: string[];
};

/**
 * POST /tweets, one statement:
 * - lock the users it notifies (FOR KEY SHARE, see `recipients`), then the author's row (the tweet count changes; an account deletion waits for this, see
 *   users.queries.ts) and, for a reply, the parent's (its reply count changes; a parent deleted
 *   meanwhile is not found, and the reply is not written: 404);
 * - insert the tweet; with an Idempotency-Key, a retry (also a concurrent one) hits the unique
 *   (user_id, idempotency_key) index, and ON CONFLICT DO UPDATE returns the first request's row
 *   (`inserted` false) instead of a second tweet; the key reused with another request (another
 *   request hash) inserts nothing and says so (`key_reused`: 422), before any 404 of the parent;
 * - only for a new row: count it on the author and the parent, write the fan-out outbox row
 *   when the author has followers whose timelines take it (see src/fanout), record its mentions,
 *   and notify the replied-to tweet's author (`reply`) and the users it mentions (`mention`).
 */
export const createTweet = (caller: Caller, input: NewTweetInput) => (db: Db) => {
  // The users it mentions: the first MAX_MENTIONS distinct names that name existing users.
  const names = input.mentions.length
    ? sql.join(
        input.mentions.map((n) => sql`${n}::text`),
        sql`, `,
      )
    : sql``;
  const named = db.$with("named", { id: users.id }).as(
    sql`SELECT ${users.id} FROM unnest(ARRAY[${names}]::text[]) WITH ORDINALITY AS m(name, ord)
          JOIN ${users} ON lower(${users.username}) = m.name
          ORDER BY m.ord LIMIT ${MAX_MENTIONS}`,
  );
  // Whom the tweet notifies (the replied-to tweet's author, the users it mentions), FOR KEY SHARE
  // by id, first of all (src/db/notifications.ts): before the parent tweet, which the author's
  // account deletion locks after their user row, and before the caller's row, which that deletion
  // updates (following_count) after it. One deleted meanwhile is left out.
  const recipients = db.$with("recipients").as(
    db
      .select({ id: users.id })
      .from(users)
      .where(
        sql`${users.id} IN (SELECT ${named.id} FROM ${named}
              UNION ALL SELECT ${tweets.userId} FROM ${tweets} WHERE ${tweets.id} = ${input.inReplyTo ?? 0})`,
      )
      .orderBy(asc(users.id))
      .for("key share"),
  );
  const author = lockedCaller(db, "author", caller, "no key update", sql`(SELECT count(*) FROM ${recipients}) >= 0`);
  const parent = db.$with("parent").as(
    db
      .select({
        id: tweets.id,
        userId: tweets.userId,
        conversationId: sql<number>`coalesce(${tweets.conversationId}, ${tweets.id})`.as("conversation_id"),
      })
      .from(tweets)
      // Referenced so that the author (and so the recipients) are locked before this row.
      .where(and(eq(tweets.id, input.inReplyTo ?? 0), sql`EXISTS (SELECT 1 FROM ${author})`))
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
          WHERE ${input.allowed}::boolean ${replying ? sql`AND ${parent.id} IS NOT NULL` : sql``}
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
  const mentioned = db.$with("mentioned", { userId: mentions.userId }).as(
    sql`INSERT INTO ${mentions} (${columnName(mentions.tweetId)}, ${columnName(mentions.userId)}, ${columnName(mentions.createdAt)})
          SELECT ${created.id}, ${recipients.id}, ${created.createdAt} FROM ${created}, ${recipients}
          WHERE ${created.inserted} AND ${recipients.id} IN (SELECT ${named.id} FROM ${named})
          RETURNING ${columnName(mentions.userId)}`,
  );
  const notified = notify(db, "notified", [
    {
      type: "reply",
      rows: sql`SELECT ${parent.userId}, ${caller.id}, ${created.id} FROM ${created}, ${parent}
                WHERE ${created.inserted} AND ${parent.userId} IN (SELECT ${recipients.id} FROM ${recipients})`,
    },
    {
      type: "mention",
      rows: sql`SELECT ${mentioned.userId}, ${caller.id}, ${created.id} FROM ${created}, ${mentioned}`,
    },
  ]);
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
    })
    .from(created)
    .innerJoin(author, sql`true`)
    .as("page");
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${author})`),
    targetFound: flag("target_found", replying ? sql`EXISTS (SELECT 1 FROM ${parent})` : sql`true`),
    fanout: flag("fanout", sql`EXISTS (SELECT 1 FROM ${outbox})`),
    // Also when a concurrent first request committed after this statement's snapshot (ON CONFLICT returned it).
    keyReused: flag(
      "key_reused",
      sql`EXISTS (SELECT 1 FROM ${prior} WHERE ${otherRequest(prior.requestHash)})
        OR EXISTS (SELECT 1 FROM ${created} WHERE NOT ${created.inserted} AND ${otherRequest(created.requestHash)})`,
    ),
  };
  return selectWithFlags(db, flags, tweet, {
    withs: [named, recipients, author, parent, prior, created, counted, replyCounted, outbox, mentioned, notified],
  });
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
