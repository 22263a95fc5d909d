import { and, eq, type SQL, sql, type WithSubquery } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Caller, Db } from "../types";
import { lockedAuthor, notify, unnotify } from "./notifications";
import { bookmarks, likes, type NotificationType, reposts, tweets } from "./schema";
import { columnName, eitherBlocks, flag, lockedCaller, tweetExists } from "./sql";

/**
 * A user's mark on a tweet (a like, a repost, a bookmark: `userTweetMark` in schema.ts), set or
 * taken back by the caller, as the CTEs of one statement. Exact counts (README, "Exact counts"):
 * the caller's row is locked first (FOR KEY SHARE: an account deletion, FOR UPDATE, waits for the
 * mark or the mark for it), then the mark is inserted or deleted, and the tweet's count (when the
 * mark has one) changes in the same statement only when a row really was (the UPDATE takes the
 * tweet's row lock and re-reads the current count). A mark that notifies the tweet's author (like,
 * repost) locks the author's row FOR KEY SHARE after the caller's and before the tweet's (the
 * notification's foreign key would take it after the tweet's: src/db/notifications.ts), notifies
 * only of a mark really added, and takes the notification back with the mark. The route adds its
 * own CTEs to `withs` (a timeline entry) and selects the Tweet.
 */
export type Mark = {
  table: typeof likes | typeof reposts | typeof bookmarks;
  /** The tweet's column counting the marks, if any. */
  count?: PgColumn;
  /** A block between the caller and the tweet's author bars the mark (403: the `blocked` flag). */
  blockable: boolean;
  /** The notification the tweet's author gets of a new mark, if any. */
  notice?: NotificationType;
};

export const LIKE: Mark = { table: likes, count: tweets.likeCount, blockable: true, notice: "like" };
export const REPOST: Mark = { table: reposts, count: tweets.repostCount, blockable: true, notice: "repost" };
/** Private: no count, no notification; a block does not bar saving a tweet one can still read. */
export const BOOKMARK: Mark = { table: bookmarks, blockable: false };

/** The tweet's count up or down by one (`id`: the tweet whose mark was added or removed, or NULL). */
const recount = (count: PgColumn, op: "+" | "-", id: SQL) =>
  sql`UPDATE ${tweets} SET ${columnName(count)} = ${count} ${sql.raw(op)} 1 WHERE ${tweets.id} = ${id} RETURNING ${count} AS n`;

/** POST /users/{id}/<marks>: inserts the mark unless it exists (the first keeps its time). */
export const markTweet = (db: Db, mark: Mark, caller: Caller, userId: number, tweetId: number) => {
  const { table } = mark;
  const marker = lockedCaller(db, "marker", caller, "key share");
  // The tweet's author, locked after the marker and before the tweet: one deleted meanwhile takes the tweet with it (404).
  const author = lockedAuthor(db, "author", tweetId, sql`EXISTS (SELECT 1 FROM ${marker})`);
  const barred = mark.blockable ? eitherBlocks(caller.id, tweets.userId) : sql`false`;
  const inserted = db
    .$with("inserted", {
      tweetId: table.tweetId,
      createdAt: sql<Date>`created_at`.mapWith(table.createdAt).as("created_at"),
    })
    .as(
      sql`INSERT INTO ${table} (${columnName(table.userId)}, ${columnName(table.tweetId)})
          SELECT ${marker.id}, ${tweets.id} FROM ${marker}, ${tweets}
          WHERE ${tweets.id} = ${tweetId} AND ${marker.id} = ${userId} AND NOT ${barred}
            ${mark.notice ? sql`AND ${tweets.userId} IN (SELECT ${author.id} FROM ${author})` : sql``}
          ON CONFLICT DO NOTHING
          RETURNING ${columnName(table.tweetId)}, ${columnName(table.createdAt)}`,
    );
  const withs: WithSubquery[] = mark.notice ? [marker, author, inserted] : [marker, inserted];
  if (mark.notice)
    withs.push(
      notify(db, "notified", [
        {
          type: mark.notice,
          rows: sql`SELECT ${author.id}, ${caller.id}, ${inserted.tweetId} FROM ${inserted}, ${author}`,
        },
      ]),
    );
  /** The tweet's count after this statement (its UPDATE is invisible to the statement's own reads). */
  let countNow: SQL | undefined;
  if (mark.count) {
    const counted = db
      .$with("counted", { n: sql<number>`n`.as("n") })
      .as(recount(mark.count, "+", sql`(SELECT ${inserted.tweetId} FROM ${inserted})`));
    withs.push(counted);
    countNow = sql<number>`coalesce((SELECT ${counted.n} FROM ${counted}), ${mark.count})`;
  }
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${marker})`),
    inserted: flag("inserted", sql`EXISTS (SELECT 1 FROM ${inserted})`),
    blocked: flag(
      "blocked",
      sql`EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${tweetId} AND ${barred} AND ${tweets.userId} <> ${caller.id})`,
    ),
  };
  return { marker, inserted, withs, countNow, flags };
};

/** DELETE /users/{id}/<marks>/{tweet_id}: removes the mark if present, and its count with it. */
export const unmarkTweet = (db: Db, mark: Mark, caller: Caller, userId: number, tweetId: number) => {
  const { table } = mark;
  const marker = lockedCaller(db, "marker", caller, "key share");
  const removed = db.$with("removed").as(
    db
      .delete(table)
      .where(
        and(
          eq(table.tweetId, tweetId),
          sql`${table.userId} = (SELECT ${marker.id} FROM ${marker})`,
          eq(table.userId, userId),
        ),
      )
      .returning({ tweetId: table.tweetId, userId: table.userId }),
  );
  const withs: WithSubquery[] = [marker, removed];
  if (mark.count) {
    withs.push(
      db
        .$with("counted", { n: sql<number>`n`.as("n") })
        .as(recount(mark.count, "-", sql`(SELECT ${removed.tweetId} FROM ${removed})`)),
    );
  }
  if (mark.notice) {
    const recipient = sql`(SELECT ${tweets.userId} FROM ${tweets} WHERE ${tweets.id} = ${tweetId})`;
    const undone = sql`EXISTS (SELECT 1 FROM ${removed})`;
    withs.push(unnotify(db, "unnotified", mark.notice, { recipient, actor: caller.id, tweet: tweetId }, undone));
  }
  const flags = {
    callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${marker})`),
    targetFound: flag("target_found", tweetExists(tweetId)),
  };
  return { marker, removed, withs, flags };
};
