import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import type { SelectedFields } from "drizzle-orm/pg-core";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { Order } from "../db/keyset";
import { likes, tweets, users } from "../db/schema";
import { callerOnly } from "../db/sql";
import { notFound } from "../lib/problem";
import type { Caller, Db } from "../types";

/**
 * The Tweet the API returns, in one place: its columns and joins for a caller, its JSON schema,
 * the mapping from one to the other, and its not-found problem. Every statement that returns
 * Tweets selects them through `selectTweets`, so a new field (a count, a flag for the caller) or
 * a filter for the caller (blocked authors) is added here once.
 */

/** The columns of a Tweet, from `tweets` joined with its author in `users` (and, with a token, whether the caller liked it). */
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
});

export const tweetNotFound = (id: number) => () => notFound(`Tweet ${id} does not exist.`);

/** Lists of tweets by their own time: newest first (GET /tweets, a user's tweets, search, the timeline) or oldest first (replies). */
export const NEWEST_TWEETS: Order = { direction: "desc", at: "createdAt" };
export const OLDEST_TWEETS: Order = { direction: "asc", at: "createdAt" };
