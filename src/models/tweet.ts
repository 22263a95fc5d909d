import { z } from "@hono/zod-openapi";
import { type Column, eq, type SQL, sql } from "drizzle-orm";
import type { SelectedFields } from "drizzle-orm/pg-core";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { Order, Page } from "../db/keyset";
import { bookmarks, likes, tweets, users } from "../db/schema";
import { callerOnly, eitherBlocks } from "../db/sql";
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

/** The columns of a Tweet, from `tweets` joined with its author in `users` (and, with a token, whether the caller liked and bookmarked it). */
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
  liked: callerOnly(
    caller,
    "liked",
    (c) => sql`EXISTS (SELECT 1 FROM ${likes} WHERE ${likes.tweetId} = ${tweets.id} AND ${likes.userId} = ${c.id})`,
  ),
  bookmarked: callerOnly(
    caller,
    "bookmarked",
    (c) =>
      sql`EXISTS (SELECT 1 FROM ${bookmarks} WHERE ${bookmarks.userId} = ${c.id} AND ${bookmarks.tweetId} = ${tweets.id})`,
  ),
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
 * A page of the tweets a user marked (liked, bookmarked), most recently marked first: the bounded
 * scan of the mark's (user, newest first) index, each row's tweet judged by `visibleTo` the caller
 * (its author found by primary key), and the page of those shown with the mark's time as `at`.
 */
export const markedTweets = <At extends string>(
  db: Db,
  caller: Caller | undefined,
  marks: typeof likes | typeof bookmarks,
  userId: number,
  page: Page,
  at: At,
) => {
  const marked = db
    .select({
      // Names of their own: the page selects them beside the columns of `tweets`.
      id: sql<number>`${marks.tweetId}`.as("marked_tweet_id"),
      [at]: sql<Date>`${marks.createdAt}`.mapWith(marks.createdAt).as("marked_at"),
      shown: visibleTo(caller, tweets.userId).as("shown"),
    } as { id: SQL.Aliased<number>; shown: SQL.Aliased<boolean> } & Record<At, SQL.Aliased<Date>>)
    .from(marks)
    .$dynamic();
  // The author, by the tweet's primary key, only when there is a caller to judge for.
  const keys = caller ? marked.innerJoin(tweets, eq(tweets.id, marks.tweetId)) : marked;
  const scan = page.scan(db, keys, eq(marks.userId, userId), marks.createdAt, marks.tweetId, !!caller);
  const fields = scan as unknown as Record<At | "id" | "shown", SQL.Aliased>;
  const tweetsOf = selectTweets(db, caller, { [at]: fields[at] } as Record<At, SQL.Aliased<Date>>);
  const list = page.shownRows(tweetsOf.innerJoin(scan, eq(tweets.id, fields.id)), scan);
  return { scan, list: list.as("page"), flags: page.scanned(scan, !!caller) };
};

export const Tweet = z
  .object({
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
    liked: z.boolean().optional().openapi({ description: "Whether you liked it; only with a token." }),
    bookmarked: z.boolean().optional().openapi({ description: "Whether you bookmarked it; only with a token." }),
  })
  .openapi("Tweet");

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
  ...(t.liked === null ? {} : { liked: t.liked }),
  ...(t.bookmarked === null ? {} : { bookmarked: t.bookmarked }),
});

export const tweetNotFound = (id: number) => () => notFound(`Tweet ${id} does not exist.`);

/** Bookmarks: most recently bookmarked first, by the bookmark's time, then the tweet's id. */
export const RECENT_BOOKMARKS: Order = { direction: "desc", at: "bookmarkedAt" };

/** Lists of tweets by their own time: newest first (GET /tweets, a user's tweets, search, the timeline) or oldest first (replies). */
export const NEWEST_TWEETS: Order = { direction: "desc", at: "createdAt" };
export const OLDEST_TWEETS: Order = { direction: "asc", at: "createdAt" };
