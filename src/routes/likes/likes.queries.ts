import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { beforePosition, callerValid, flagsWithRows, rowsOf } from "../../db/sql";
import type { Caller } from "../../lib/context";
import type { Position } from "../../lib/pagination";
import { type FlaggedTweetRow, tweetColumns } from "../tweets/tweets.queries";
import type { UserRow } from "../users/users.schemas";

/**
 * All statements about likes, one per request. The lists take the page from the likes index
 * first (ORDER BY … LIMIT on likes alone) and look up each row's tweet or user by primary key,
 * so the page costs the same at any table size. `like_count` changes in the same statement as
 * the row in `likes`: the UPDATE of the tweet row takes its row lock and re-reads the current
 * count, so concurrent likes and unlikes add up exactly.
 */

const mostRecentlyLikedFirst = sql`r.liked_at DESC, r.id DESC`;

/** GET /users/{id}/liked_tweets: most recently liked first (likes.created_at, then tweet id). */
export async function listLikedTweets(
  db: Database,
  caller: Caller | undefined,
  userId: number,
  after: Position | undefined,
  limit: number,
) {
  return rowsOf<FlaggedTweetRow & { liked_at: Date | string | null }>(
    db,
    flagsWithRows(
      sql`${callerValid(caller)} AS caller_ok, EXISTS (SELECT 1 FROM users WHERE id = ${userId}) AS found`,
      sql`SELECT x.*, k.created_at AS liked_at
          FROM (SELECT tweet_id, created_at FROM likes
                WHERE user_id = ${userId} AND ${beforePosition(sql`created_at`, sql`tweet_id`, after)}
                ORDER BY created_at DESC, tweet_id DESC LIMIT ${limit + 1}) AS k
          CROSS JOIN LATERAL (SELECT ${tweetColumns(caller)} FROM tweets t JOIN users u ON u.id = t.user_id
                              WHERE t.id = k.tweet_id) AS x`,
      mostRecentlyLikedFirst,
    ),
  );
}

/** GET /tweets/{id}/liking_users: most recent like first (likes.created_at, then user id). */
export async function listLikingUsers(
  db: Database,
  caller: Caller | undefined,
  tweetId: number,
  after: Position | undefined,
  limit: number,
) {
  return rowsOf<{ caller_ok: boolean; found: boolean; liked_at: Date | string | null } & Partial<UserRow>>(
    db,
    flagsWithRows(
      sql`${callerValid(caller)} AS caller_ok, EXISTS (SELECT 1 FROM tweets WHERE id = ${tweetId}) AS found`,
      sql`SELECT u.id, u.username, u.created_at, k.created_at AS liked_at
          FROM (SELECT user_id, created_at FROM likes
                WHERE tweet_id = ${tweetId} AND ${beforePosition(sql`created_at`, sql`user_id`, after)}
                ORDER BY created_at DESC, user_id DESC LIMIT ${limit + 1}) AS k
          CROSS JOIN LATERAL (SELECT id, username, created_at FROM users WHERE id = k.user_id) AS u`,
      mostRecentlyLikedFirst,
    ),
  );
}

/**
 * POST /users/{id}/likes: inserts the like unless it exists (the first like keeps its time) and
 * bumps like_count only when a row was inserted. `inserted` tells 201 from 200.
 */
export async function likeTweet(db: Database, caller: Caller, userId: number, tweetId: number) {
  const [row] = await rowsOf<FlaggedTweetRow & { inserted: boolean }>(
    db,
    sql`WITH liker AS (
          SELECT id FROM users WHERE id = ${userId} AND id = ${caller.id} AND token_version = ${caller.version}),
        inserted AS (
          INSERT INTO likes (user_id, tweet_id)
          SELECT liker.id, tweets.id FROM liker, tweets WHERE tweets.id = ${tweetId}
          ON CONFLICT DO NOTHING
          RETURNING tweet_id),
        counted AS (
          UPDATE tweets SET like_count = like_count + 1 WHERE id = (SELECT tweet_id FROM inserted)
          RETURNING id, like_count)
        ${flagsWithRows(
          sql`${callerValid(caller)} AS caller_ok, EXISTS (SELECT 1 FROM inserted) AS inserted`,
          sql`SELECT t.id, t.content, t.created_at, t.user_id, u.username,
                     coalesce((SELECT like_count FROM counted), t.like_count) AS like_count,
                     true AS liked
              FROM tweets t JOIN users u ON u.id = t.user_id WHERE t.id = ${tweetId}`,
        )}`,
  );
  return row;
}

/** DELETE /users/{id}/likes/{tweet_id}: removes the like if present and drops like_count with it. */
export async function unlikeTweet(db: Database, caller: Caller, userId: number, tweetId: number) {
  const [row] = await rowsOf<{ caller_ok: boolean; found: boolean }>(
    db,
    sql`WITH removed AS (
          DELETE FROM likes WHERE tweet_id = ${tweetId} AND user_id = (
            SELECT id FROM users WHERE id = ${userId} AND id = ${caller.id} AND token_version = ${caller.version})
          RETURNING tweet_id),
        counted AS (
          UPDATE tweets SET like_count = like_count - 1 WHERE id = (SELECT tweet_id FROM removed))
        SELECT ${callerValid(caller)} AS caller_ok, EXISTS (SELECT 1 FROM tweets WHERE id = ${tweetId}) AS found`,
  );
  return row;
}
