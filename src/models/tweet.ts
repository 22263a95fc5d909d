import { z } from "@hono/zod-openapi";
import { type Column, eq, type SQL, sql } from "drizzle-orm";
import { alias, type SelectedFields } from "drizzle-orm/pg-core";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { Order, Page } from "../db/keyset";
import { bookmarks, likes, type mentions, reposts, tweets, users } from "../db/schema";
import { callerOnly, eitherBlocks, marked } from "../db/sql";
import { notFound } from "../lib/problem";
import type { Caller, Db } from "../types";

/**
 * The Tweet the API returns, in one place: its columns and joins for a caller, its JSON schema,
 * the mapping from one to the other, and its not-found problem. Every statement that returns
 * Tweets selects them through `selectTweets`, so a new field (a count, a flag for the caller) or
 * a filter for the caller (blocked authors) is added here once.
 */

/**
 * Which tweets a caller sees in a list (and in `context`): those whose author `authorId` neither
 * blocks the caller nor is blocked by them (two primary-key probes per row). Every tweet without a
 * token. Lists apply it through their bounded scan (Page.scan); GET /tweets/{id} does not.
 */
export const visibleTo = (caller: Caller | undefined, authorId: Column | SQL) =>
  caller ? sql<boolean>`NOT ${eitherBlocks(caller.id, authorId)}` : sql<boolean>`true`;

const quoted = alias(tweets, "quoted");
const quotedAuthor = alias(users, "quoted_author");

/**
 * The quoted Tweet (one level deep: no `quoted_tweet` of its own) as one JSON value: one
 * primary-key probe of `tweets` and one of `users` per row, in the row's own statement. NULL when
 * there is none, it no longer exists, or a block stands between the caller and its author.
 */
export const quotedTweetJson = (caller: Caller | undefined, quotedId: Column | SQL) => {
  const forCaller = caller
    ? sql`, 'liked', ${marked(likes, caller.id, quoted.id)}, 'reposted', ${marked(reposts, caller.id, quoted.id)}, 'bookmarked', ${marked(bookmarks, caller.id, quoted.id)}`
    : sql``;
  return sql`(SELECT jsonb_build_object(
      'id', ${quoted.id}, 'content', ${quoted.content}, 'created_at', ${quoted.createdAt},
      'user_id', ${quoted.userId}, 'username', ${quotedAuthor.username}, 'like_count', ${quoted.likeCount},
      'in_reply_to_tweet_id', ${quoted.inReplyToTweetId},
      'conversation_id', coalesce(${quoted.conversationId}, ${quoted.id}), 'reply_count', ${quoted.replyCount},
      'repost_count', ${quoted.repostCount}, 'quote_count', ${quoted.quoteCount},
      'quoted_tweet_id', ${quoted.quotedTweetId}${forCaller})
    FROM ${tweets} AS ${quoted} JOIN ${users} AS ${quotedAuthor} ON ${quotedAuthor.id} = ${quoted.userId}
    WHERE ${quoted.id} = ${quotedId} AND ${visibleTo(caller, quoted.userId)})`;
};

/** A quoted tweet's JSON (quotedTweetJson, possibly amended) as the `quotedTweet` column of a Tweet. */
export const asQuotedTweet = (json: SQL) =>
  sql<QuotedRow | null>`${json}`
    .mapWith((v: unknown) => (typeof v === "string" ? JSON.parse(v) : v) as QuotedRow | null)
    .as("quoted_tweet");

/** The columns of a Tweet, from `tweets` joined with its author in `users` (and, with a token, the caller's marks). */
export const tweetColumns = (caller: Caller | undefined) => ({
  id: tweets.id,
  content: tweets.content,
  createdAt: tweets.createdAt,
  userId: tweets.userId,
  username: users.username,
  likeCount: tweets.likeCount,
  inReplyToTweetId: tweets.inReplyToTweetId,
  conversationId: sql<number>`coalesce(${tweets.conversationId}, ${tweets.id})`.as("conversation_id"),
  replyCount: tweets.replyCount,
  repostCount: tweets.repostCount,
  quoteCount: tweets.quoteCount,
  quotedTweetId: tweets.quotedTweetId,
  quotedTweet: asQuotedTweet(quotedTweetJson(caller, tweets.quotedTweetId)),
  liked: callerOnly(caller, "liked", (c) => marked(likes, c.id, tweets.id)),
  reposted: callerOnly(caller, "reposted", (c) => marked(reposts, c.id, tweets.id)),
  bookmarked: callerOnly(caller, "bookmarked", (c) => marked(bookmarks, c.id, tweets.id)),
});

export type TweetRow = SelectResultFields<ReturnType<typeof tweetColumns>>;

/** Tweets for a caller (with `extra` columns): `tweets` joined with their authors, for any FROM and WHERE after. */
export const selectTweets = <E extends SelectedFields = Record<string, never>>(
  db: Db,
  caller: Caller | undefined,
  extra?: E,
) =>
  db
    .select({ ...tweetColumns(caller), ...(extra as E) })
    .from(tweets)
    .innerJoin(users, eq(users.id, tweets.userId))
    .$dynamic();

/**
 * A page of tweets read from `tweets` itself (GET /tweets, a user's tweets, search, replies): the
 * bounded scan (Page.scan) of the rows matching `condition` in the page's order, each judged by
 * `visibleTo` the caller, and the page of those shown. `flags` tell where the scan stopped.
 */
export const visibleTweets = (db: Db, caller: Caller | undefined, page: Page, condition: SQL | undefined) => {
  const keys = db
    .select({ id: tweets.id, createdAt: tweets.createdAt, shown: visibleTo(caller, tweets.userId).as("shown") })
    .from(tweets)
    .$dynamic();
  const scan = page.scan(db, keys, condition, tweets.createdAt, tweets.id, !!caller);
  const list = page.shownRows(selectTweets(db, caller).innerJoin(scan, eq(tweets.id, scan.id)), scan);
  return { scan, list: list.as("page"), flags: page.scanned(scan, !!caller) };
};

/**
 * A page of the tweets a user marked (liked, bookmarked) or was mentioned in, most recent first: the bounded
 * scan of the mark's (user, newest first) index, each row's tweet judged by `visibleTo` the caller
 * (its author found by primary key), and the page of those shown with the mark's time as `at`.
 */
export const markedTweets = <At extends string>(
  db: Db,
  caller: Caller | undefined,
  marks: typeof likes | typeof bookmarks | typeof mentions,
  userId: number,
  page: Page,
  at: At,
) => {
  const keys = db
    .select({
      // Names of their own: the page selects them beside the columns of `tweets`.
      id: sql<number>`${marks.tweetId}`.as("marked_tweet_id"),
      [at]: sql<Date>`${marks.createdAt}`.mapWith(marks.createdAt).as("marked_at"),
      // The author by the tweet's primary key, a scalar per row rather than a join: Postgres then
      // evaluates it for the rows the scan keeps only (after its ORDER BY … LIMIT), whatever plan
      // the mark's index is read by (a user with 100,000 bookmarks estimated few is read by a bitmap).
      // A mark goes with its tweet (cascade), and the page joins `tweets`: no author (NULL) shows nothing.
      shown: visibleTo(caller, sql`(SELECT ${tweets.userId} FROM ${tweets} WHERE ${tweets.id} = ${marks.tweetId})`).as(
        "shown",
      ),
    } as { id: SQL.Aliased<number>; shown: SQL.Aliased<boolean> } & Record<At, SQL.Aliased<Date>>)
    .from(marks)
    .$dynamic();
  const scan = page.scan(db, keys, eq(marks.userId, userId), marks.createdAt, marks.tweetId, !!caller);
  const fields = scan as unknown as Record<At | "id" | "shown", SQL.Aliased>;
  const tweetsOf = selectTweets(db, caller, { [at]: fields[at] } as Record<At, SQL.Aliased<Date>>);
  const list = page.shownRows(tweetsOf.innerJoin(scan, eq(tweets.id, fields.id)), scan);
  return { scan, list: list.as("page"), flags: page.scanned(scan, !!caller) };
};

const forCaller = (description: string) =>
  z
    .boolean()
    .optional()
    .openapi({ description: `Whether you ${description} it; only with a token.` });

/** A Tweet's fields but its embedded quoted tweet. */
const tweetFields = {
  id: z.number().int().openapi({ example: 23 }),
  content: z.string().openapi({ example: "Hello world" }),
  created_at: z.string().openapi({ format: "date-time", example: "2026-11-26T13:44:22.123Z" }),
  user_id: z.number().int().openapi({ example: 7 }),
  username: z.string().openapi({ example: "pineappledreamer" }),
  like_count: z.number().int().openapi({ example: 3 }),
  in_reply_to_tweet_id: z
    .number()
    .int()
    .nullable()
    .openapi({ description: "The tweet this one replies to (it may have been deleted since).", example: null }),
  conversation_id: z.number().int().openapi({
    description: "The id of the conversation's first tweet (its own id for a first tweet).",
    example: 23,
  }),
  reply_count: z.number().int().openapi({ description: "Direct replies.", example: 0 }),
  repost_count: z.number().int().openapi({ description: "Reposts.", example: 0 }),
  quote_count: z.number().int().openapi({ description: "Existing tweets that quote this one.", example: 0 }),
  quoted_tweet_id: z
    .number()
    .int()
    .nullable()
    .openapi({ description: "The tweet this one quotes (it may have been deleted since).", example: null }),
  liked: forCaller("liked"),
  reposted: forCaller("reposted"),
  bookmarked: forCaller("bookmarked"),
};

/** What `quoted_tweet` holds: a Tweet one level deep (no `quoted_tweet` of its own). */
export const QuotedTweet = z.object(tweetFields).openapi("QuotedTweet");

export const Tweet = z
  .object({
    ...tweetFields,
    // A union, not .nullable(): the generator drops `null` from a nullable reference.
    quoted_tweet: z.union([QuotedTweet, z.null()]).openapi({
      description:
        "The quoted tweet, one level deep; null when this tweet quotes nothing, the quoted tweet no longer exists, or a block stands between you and its author.",
    }),
  })
  .openapi("Tweet");

/** The quoted tweet as its JSON value carries it (jsonb_build_object: snake_case, created_at as ISO text). */
type QuotedRow = Omit<z.infer<typeof QuotedTweet>, "created_at" | "liked" | "reposted" | "bookmarked"> & {
  created_at: string;
  liked?: boolean;
  reposted?: boolean;
  bookmarked?: boolean;
};

const toQuotedTweet = (q: QuotedRow): z.infer<typeof QuotedTweet> => ({
  ...q,
  created_at: new Date(q.created_at).toISOString(),
});

export const toTweet = (t: TweetRow): z.infer<typeof Tweet> => ({
  id: t.id,
  content: t.content,
  created_at: t.createdAt.toISOString(),
  user_id: t.userId,
  username: t.username,
  like_count: t.likeCount,
  in_reply_to_tweet_id: t.inReplyToTweetId,
  conversation_id: t.conversationId,
  reply_count: t.replyCount,
  repost_count: t.repostCount,
  quote_count: t.quoteCount,
  quoted_tweet_id: t.quotedTweetId,
  quoted_tweet: t.quotedTweet ? toQuotedTweet(t.quotedTweet) : null,
  ...(t.liked === null ? {} : { liked: t.liked }),
  ...(t.bookmarked === null ? {} : { bookmarked: t.bookmarked }),
  ...(t.reposted === null ? {} : { reposted: t.reposted }),
});

/** A home-timeline entry: the Tweet and who reposted it into the timeline (null for a post). */
export const TimelineTweet = z
  .object({
    ...Tweet.shape,
    reposted_by: z
      .object({ id: z.number().int(), username: z.string() })
      .nullable()
      .openapi({ description: "The followed user (or you) whose repost this entry is; null for a post." }),
  })
  .openapi("TimelineTweet");

export const toTimelineTweet = (
  t: TweetRow & { repostedById: number | null; repostedByUsername: string | null },
): z.infer<typeof TimelineTweet> => ({
  ...toTweet(t),
  reposted_by:
    t.repostedById === null || t.repostedByUsername === null
      ? null
      : { id: t.repostedById, username: t.repostedByUsername },
});

export const tweetNotFound = (id: number) => () => notFound(`Tweet ${id} does not exist.`);

/** Mentions: newest first, by the mentioning tweet's time (copied into `mentions`), then its id. */
export const RECENT_MENTIONS: Order = { direction: "desc", at: "mentionedAt" };

/** Bookmarks: most recently bookmarked first, by the bookmark's time, then the tweet's id. */
export const RECENT_BOOKMARKS: Order = { direction: "desc", at: "bookmarkedAt" };

/** Lists of tweets by their own time: newest first (GET /tweets, a user's tweets, search, quotes) or oldest first (replies). */
export const NEWEST_TWEETS: Order = { direction: "desc", at: "createdAt" };
export const OLDEST_TWEETS: Order = { direction: "asc", at: "createdAt" };
/** The home timeline: by entry time (the post's or the repost's), then tweet id, newest first. */
export const NEWEST_ENTRIES: Order = { direction: "desc", at: "enteredAt" };
