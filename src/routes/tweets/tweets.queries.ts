import { and, asc, eq, inArray, ne, type SQLWrapper, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { notify } from "../../db/notifications";
import { bookmarks, celebrities, fanoutOutbox, likes, mentions, reposts, tweets, users } from "../../db/schema";
import {
  callerOk,
  columnName,
  eitherBlocks,
  flag,
  flagsRow,
  lockedCaller,
  marked,
  selectWithFlags,
  tweetExists,
  userExists,
} from "../../db/sql";
import { MAX_MENTIONS } from "../../lib/mentions";
import { asQuotedTweet, quotedTweetJson, selectTweets, visibleTo, visibleTweets } from "../../models/tweet";
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
  quoted: number | undefined;
  /** The names the content mentions (mentionedNames: lower-cased, distinct, in order). */
  mentions: string[];
};

/**
 * POST /tweets, one statement:
 * - lock the users it notifies (FOR KEY SHARE, see `recipients`), then the author's row (the tweet
 *   count changes; an account deletion waits for this, see users.queries.ts), then the tweets it counts on — the replied-to tweet (reply count) and the
 *   quoted one (quote count) — in id order, after the author (README, "Exact counts"); one
 *   deleted meanwhile is not found, and nothing is written: 404;
 * - a block between the caller and the author of either is 403 (`blocked`), and nothing is written;
 * - insert the tweet; with an Idempotency-Key, a retry (also a concurrent one) hits the unique
 *   (user_id, idempotency_key) index, and ON CONFLICT DO UPDATE returns the first request's row
 *   (`inserted` false) instead of a second tweet; the key reused with another request (another
 *   request hash) inserts nothing and says so (`key_reused`: 422), before any 404 of the parent;
 * - only for a new row: count it on the author, the parent and the quoted tweet, write the
 *   fan-out outbox row when the author has followers whose timelines take it (see src/fanout),
 *   record its mentions, and notify the replied-to tweet's author (`reply`), the quoted tweet's
 *   (`quote`) and the users it mentions (`mention`): one notification each, in that precedence.
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
  // Whom the tweet notifies (the replied-to and the quoted tweets' authors, the users it mentions),
  // FOR KEY SHARE by id, first of all (src/db/notifications.ts): before the replied-to and quoted
  // tweets, which an author's account deletion locks after their user row, and before the caller's
  // row, which that deletion updates (following_count) after it. One deleted meanwhile is left out.
  const recipients = db.$with("recipients").as(
    db
      .select({ id: users.id })
      .from(users)
      .where(
        sql`${users.id} IN (SELECT ${named.id} FROM ${named}
              UNION ALL SELECT ${tweets.userId} FROM ${tweets} WHERE ${inArray(tweets.id, [input.inReplyTo ?? 0, input.quoted ?? 0])})`,
      )
      .orderBy(asc(users.id))
      .for("key share"),
  );
  const author = lockedCaller(db, "author", caller, "no key update", sql`(SELECT count(*) FROM ${recipients}) >= 0`);
  // EXISTS (author): the author's row is locked before any tweet's (the scan's filter runs first).
  const related = db.$with("related").as(
    db
      .select({
        id: tweets.id,
        userId: tweets.userId,
        conversationId: sql<number>`coalesce(${tweets.conversationId}, ${tweets.id})`.as("conversation_id"),
      })
      .from(tweets)
      .where(and(inArray(tweets.id, [input.inReplyTo ?? 0, input.quoted ?? 0]), sql`EXISTS (SELECT 1 FROM ${author})`))
      .orderBy(asc(tweets.id))
      .for("no key update"),
  );
  const replying = input.inReplyTo !== undefined;
  const quoting = input.quoted !== undefined;
  const blocked = sql`EXISTS (SELECT 1 FROM ${related} WHERE ${eitherBlocks(caller.id, related.userId)})`;
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
      repostCount: tweets.repostCount,
      quoteCount: tweets.quoteCount,
      quotedTweetId: tweets.quotedTweetId,
      requestHash: tweets.requestHash,
      inserted: sql<boolean>`inserted`.as("inserted"),
    })
    .as(
      sql`INSERT INTO ${tweets} (${columnName(tweets.userId)}, ${columnName(tweets.content)}, ${columnName(tweets.idempotencyKey)},
                                 ${columnName(tweets.inReplyToTweetId)}, ${columnName(tweets.conversationId)},
                                 ${columnName(tweets.quotedTweetId)}, ${columnName(tweets.requestHash)})
          SELECT ${author.id}, ${input.content}, ${input.idempotencyKey ?? null}::varchar, p.id, p.conversation_id, q.id, ${hash}
          FROM ${author}
            LEFT JOIN ${related} AS p ON p.id = ${input.inReplyTo ?? null}::int
            LEFT JOIN ${related} AS q ON q.id = ${input.quoted ?? null}::int
          WHERE ${input.allowed}::boolean ${replying ? sql`AND p.id IS NOT NULL` : sql``}
            ${quoting ? sql`AND q.id IS NOT NULL` : sql``} AND NOT ${blocked}
            AND NOT EXISTS (SELECT 1 FROM ${prior} WHERE ${otherRequest(prior.requestHash)})
          ON CONFLICT (${columnName(tweets.userId)}, ${columnName(tweets.idempotencyKey)})
            DO UPDATE SET ${columnName(tweets.idempotencyKey)} = excluded.${columnName(tweets.idempotencyKey)}
          RETURNING ${columnName(tweets.id)}, ${columnName(tweets.content)}, ${columnName(tweets.createdAt)}, ${columnName(tweets.userId)},
                    ${columnName(tweets.likeCount)}, ${columnName(tweets.inReplyToTweetId)},
                    coalesce(${columnName(tweets.conversationId)}, ${columnName(tweets.id)}) AS conversation_id,
                    ${columnName(tweets.replyCount)}, ${columnName(tweets.repostCount)}, ${columnName(tweets.quoteCount)},
                    ${columnName(tweets.quotedTweetId)}, ${columnName(tweets.requestHash)},
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
  // One UPDATE for both (a reply may quote its own parent: two UPDATEs of one row would lose one).
  const relatedCounted = db.$with("related_counted").as(
    db
      .update(tweets)
      .set({
        replyCount: sql`${tweets.replyCount} + (${tweets.id} IS NOT DISTINCT FROM c.in_reply_to_tweet_id)::int`,
        quoteCount: sql`${tweets.quoteCount} + (${tweets.id} IS NOT DISTINCT FROM c.quoted_tweet_id)::int`,
      })
      .from(sql`(SELECT * FROM ${created} WHERE ${created.inserted}) AS c`)
      .where(sql`${tweets.id} IN (c.in_reply_to_tweet_id, c.quoted_tweet_id)`)
      .returning({ id: tweets.id, quoteCount: tweets.quoteCount }),
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
  /** The author of the related tweet the new one points to with `column` (its parent, or the tweet it quotes). */
  const authorOf = (column: "in_reply_to_tweet_id" | "quoted_tweet_id") =>
    sql`SELECT ${related.userId}, ${caller.id}, ${created.id} FROM ${created}, ${related}
        WHERE ${created.inserted} AND ${related.id} = ${sql.identifier("created")}.${sql.identifier(column)}
          AND ${related.userId} IN (SELECT ${recipients.id} FROM ${recipients})`;
  const notified = notify(db, "notified", [
    { type: "reply", rows: authorOf("in_reply_to_tweet_id") },
    { type: "quote", rows: authorOf("quoted_tweet_id") },
    {
      type: "mention",
      rows: sql`SELECT ${mentioned.userId}, ${caller.id}, ${created.id} FROM ${created}, ${mentioned}`,
    },
  ]);
  // The new row is not visible to this statement's reads of `tweets`: the Tweet is built from RETURNING,
  // and the quoted tweet's quote_count from its UPDATE.
  const quotedNow = sql`${quotedTweetJson(caller, created.quotedTweetId)} || coalesce(
    (SELECT jsonb_build_object('quote_count', ${relatedCounted.quoteCount}) FROM ${relatedCounted}
     WHERE ${relatedCounted.id} = ${created.quotedTweetId}), '{}'::jsonb)`;
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
      repostCount: created.repostCount,
      quoteCount: created.quoteCount,
      quotedTweetId: created.quotedTweetId,
      quotedTweet: asQuotedTweet(quotedNow),
      liked: flag("liked", marked(likes, caller.id, created.id)),
      reposted: flag("reposted", marked(reposts, caller.id, created.id)),
      // An Idempotency-Key retry returns the first request's tweet, which may have been bookmarked since.
      bookmarked: flag("bookmarked", marked(bookmarks, caller.id, created.id)),
    })
    .from(created)
    .innerJoin(author, sql`true`)
    .as("page");
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${author})`),
    targetFound: flag(
      "target_found",
      replying ? sql`EXISTS (SELECT 1 FROM ${related} WHERE ${related.id} = ${input.inReplyTo})` : sql`true`,
    ),
    quotedFound: flag(
      "quoted_found",
      quoting ? sql`EXISTS (SELECT 1 FROM ${related} WHERE ${related.id} = ${input.quoted})` : sql`true`,
    ),
    blocked: flag("blocked", blocked),
    fanout: flag("fanout", sql`EXISTS (SELECT 1 FROM ${outbox})`),
    // Also when a concurrent first request committed after this statement's snapshot (ON CONFLICT returned it).
    keyReused: flag(
      "key_reused",
      sql`EXISTS (SELECT 1 FROM ${prior} WHERE ${otherRequest(prior.requestHash)})
        OR EXISTS (SELECT 1 FROM ${created} WHERE NOT ${created.inserted} AND ${otherRequest(created.requestHash)})`,
    ),
  };
  return selectWithFlags(db, flags, tweet, {
    withs: [named, recipients, author, related, prior, created, counted, relatedCounted, outbox, mentioned, notified],
  });
};

/**
 * DELETE /tweets/{id}: revocation, existence, authorship and the delete in one statement; the
 * author's tweet count, the parent's reply count and the quoted tweet's quote count drop with it.
 * Locks in the global order (README, "Exact counts"): the author's row, then the parent and the
 * quoted tweet (lower ids) by id, then the tweet itself, by the DELETE (FOR UPDATE at once: taking
 * a weaker lock first and upgrading it would deadlock with a like or repost of it, which holds the
 * foreign key's KEY SHARE and then updates the count). Its likes and reposts go by cascade; its
 * replies and quotes stay, their in_reply_to_tweet_id, conversation_id and quoted_tweet_id unchanged.
 */
export const deleteTweet = (caller: Caller, id: number) => (db: Db) => {
  const author = lockedCaller(db, "author", caller, "no key update");
  const counterparts = sql`SELECT unnest(ARRAY[${tweets.inReplyToTweetId}, ${tweets.quotedTweetId}]) FROM ${tweets}
    WHERE ${tweets.id} = ${id} AND ${tweets.userId} = (SELECT ${author.id} FROM ${author})`;
  const locked = db
    .$with("locked")
    .as(
      db
        .select({ id: tweets.id })
        .from(tweets)
        .where(sql`${tweets.id} IN (${counterparts})`)
        .orderBy(asc(tweets.id))
        .for("no key update"),
    );
  const gone = db.$with("gone").as(
    db
      .delete(tweets)
      .where(
        and(
          eq(tweets.id, id),
          sql`${tweets.userId} = (SELECT ${author.id} FROM ${author})`,
          // Evaluated before the row is deleted, so the counterparts are locked first.
          sql`(SELECT count(*) FROM ${locked}) >= 0`,
        ),
      )
      .returning({
        userId: tweets.userId,
        inReplyToTweetId: tweets.inReplyToTweetId,
        quotedTweetId: tweets.quotedTweetId,
      }),
  );
  const counted = db.$with("counted").as(
    db
      .update(users)
      .set({ tweetCount: sql`${users.tweetCount} - 1` })
      .where(sql`${users.id} = (SELECT ${gone.userId} FROM ${gone})`)
      .returning({ id: users.id }),
  );
  // One UPDATE for both (a reply may quote its own parent).
  const related = db.$with("related").as(
    db
      .update(tweets)
      .set({
        replyCount: sql`${tweets.replyCount} - (${tweets.id} IS NOT DISTINCT FROM g.in_reply_to_tweet_id)::int`,
        quoteCount: sql`${tweets.quoteCount} - (${tweets.id} IS NOT DISTINCT FROM g.quoted_tweet_id)::int`,
      })
      .from(sql`${gone} AS g`)
      .where(sql`${tweets.id} IN (g.in_reply_to_tweet_id, g.quoted_tweet_id)`)
      .returning({ id: tweets.id }),
  );
  return db
    .with(author, locked, gone, counted, related)
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

/** GET /tweets/{id}/quotes: the tweets quoting one, newest first, and whether the quoted tweet exists. */
export const quotes = (caller: Caller | undefined, tweetId: number, page: Page) => (db: Db) => {
  const { scan, list, flags } = visibleTweets(db, caller, page, eq(tweets.quotedTweetId, tweetId));
  const found = flag("found", tweetExists(tweetId));
  return selectWithFlags(db, { callerOk: callerOk(caller), found, ...flags }, list, { order: page, withs: [scan] });
};
