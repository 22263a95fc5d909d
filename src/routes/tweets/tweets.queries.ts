import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { beforePosition, callerValid, flagsWithRows, rowsOf } from "../../db/sql";
import type { Caller } from "../../lib/context";
import type { Position } from "../../lib/pagination";
import type { TweetRow } from "./tweets.schemas";

/** All statements of the /tweets resource, one per request. */

/** The columns of a Tweet for `tweets t JOIN users u`; `liked` only when a caller is known. */
export const tweetColumns = (caller: Caller | undefined): SQL =>
  sql`t.id, t.content, t.created_at, t.user_id, u.username, t.like_count, ${
    caller
      ? sql`EXISTS (SELECT 1 FROM likes l WHERE l.tweet_id = t.id AND l.user_id = ${caller.id})`
      : sql`NULL::boolean`
  } AS liked`;

const newestFirst = sql`r.created_at DESC, r.id DESC`;

type Flags = { caller_ok: boolean; found?: boolean };
export type FlaggedTweetRow = Flags & Partial<TweetRow>;

/** GET /tweets: newest first (created_at, then id, descending). */
export async function listTweets(db: Database, caller: Caller | undefined, after: Position | undefined, limit: number) {
  return rowsOf<FlaggedTweetRow>(
    db,
    flagsWithRows(
      sql`${callerValid(caller)} AS caller_ok`,
      sql`SELECT ${tweetColumns(caller)} FROM tweets t JOIN users u ON u.id = t.user_id
          WHERE ${beforePosition(sql`t.created_at`, sql`t.id`, after)}
          ORDER BY t.created_at DESC, t.id DESC LIMIT ${limit + 1}`,
      newestFirst,
    ),
  );
}

/** GET /users/{id}/tweets: one author's tweets, newest first, and whether the author exists. */
export async function listUserTweets(
  db: Database,
  caller: Caller | undefined,
  userId: number,
  after: Position | undefined,
  limit: number,
) {
  return rowsOf<FlaggedTweetRow>(
    db,
    flagsWithRows(
      sql`${callerValid(caller)} AS caller_ok, EXISTS (SELECT 1 FROM users WHERE id = ${userId}) AS found`,
      sql`SELECT ${tweetColumns(caller)} FROM tweets t JOIN users u ON u.id = t.user_id
          WHERE t.user_id = ${userId} AND ${beforePosition(sql`t.created_at`, sql`t.id`, after)}
          ORDER BY t.created_at DESC, t.id DESC LIMIT ${limit + 1}`,
      newestFirst,
    ),
  );
}

export async function findTweet(db: Database, caller: Caller | undefined, id: number) {
  const [row] = await rowsOf<FlaggedTweetRow>(
    db,
    flagsWithRows(
      sql`${callerValid(caller)} AS caller_ok`,
      sql`SELECT ${tweetColumns(caller)} FROM tweets t JOIN users u ON u.id = t.user_id WHERE t.id = ${id}`,
    ),
  );
  return row;
}

/**
 * POST /tweets. With an Idempotency-Key, a retry (also a concurrent one) hits the unique
 * (user_id, idempotency_key) index, and ON CONFLICT DO UPDATE returns the first request's row,
 * locked and current, instead of inserting a second tweet.
 */
export async function createTweet(
  db: Database,
  caller: Caller,
  input: { content: string; idempotencyKey: string | undefined; allowed: boolean },
) {
  const [row] = await rowsOf<FlaggedTweetRow>(
    db,
    sql`WITH author AS (
          SELECT id, username FROM users
          WHERE id = ${caller.id} AND token_version = ${caller.version} AND ${input.allowed}),
        created AS (
          INSERT INTO tweets (user_id, content, idempotency_key)
          SELECT id, ${input.content}, ${input.idempotencyKey ?? null}::varchar FROM author
          ON CONFLICT (user_id, idempotency_key) DO UPDATE SET idempotency_key = excluded.idempotency_key
          RETURNING id, content, created_at, user_id, like_count)
        ${flagsWithRows(
          sql`${callerValid(caller)} AS caller_ok`,
          sql`SELECT t.id, t.content, t.created_at, t.user_id, a.username, t.like_count,
                     EXISTS (SELECT 1 FROM likes l WHERE l.tweet_id = t.id AND l.user_id = ${caller.id}) AS liked
              FROM created t CROSS JOIN author a`,
        )}`,
  );
  return row;
}

/** DELETE /tweets/{id}: revocation, existence, authorship and the delete in one statement. */
export async function deleteTweet(db: Database, caller: Caller, id: number) {
  const [row] = await rowsOf<{ caller_ok: boolean; found: boolean; deleted: boolean }>(
    db,
    sql`WITH deleted AS (
          DELETE FROM tweets WHERE id = ${id} AND user_id = (
            SELECT id FROM users WHERE id = ${caller.id} AND token_version = ${caller.version})
          RETURNING id)
        SELECT ${callerValid(caller)} AS caller_ok,
               EXISTS (SELECT 1 FROM tweets WHERE id = ${id}) AS found,
               EXISTS (SELECT 1 FROM deleted) AS deleted`,
  );
  return row;
}
