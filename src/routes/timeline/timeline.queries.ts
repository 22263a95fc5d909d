import { type Column, eq, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { celebrities, follows, homeTimeline, tweets } from "../../db/schema";
import { callerOk, flag, selectWithFlags, userExists } from "../../db/sql";
import { selectTweets } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/**
 * GET /users/{id}/timeline: the newest `limit + 1` of three sources, each one index range read in
 * the timeline's order and cut at `limit + 1`, so a page costs the same whatever the size of the
 * graph:
 *
 * 1. `home_timeline`: what the fan-out wrote for this user (followees with fewer followers than
 *    FANOUT_MAX_FOLLOWERS), skipping entries whose tweet is gone or whose author is no longer
 *    followed (one primary-key probe each);
 * 2. the user's own tweets (read-your-writes without waiting for any fan-out);
 * 3. the tweets of followed accounts in `celebrities` (never fanned out: merged here, one index
 *    range per such account; there are few, by construction).
 *
 * The union is sorted (at most a few pages of rows) and cut to the page. Only for the user
 * themself (`self`, decided before the query: for anyone else the sources are empty, and 403).
 */
export const homeTimelinePage = (caller: Caller, userId: number, page: Page) => (db: Db) => {
  const limit = page.rows;
  const self = userId === caller.id;
  const newestFirst = (at: Column, id: Column) => sql.join(page.orderBy(at, id), sql`, `);
  const fannedOut = sql`SELECT ${homeTimeline.tweetId} AS id, ${homeTimeline.createdAt} AS created_at
    FROM ${homeTimeline}
    WHERE ${homeTimeline.userId} = ${userId} AND ${self}::boolean
      AND ${page.where(homeTimeline.createdAt, homeTimeline.tweetId)}
      AND EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${homeTimeline.tweetId})
      AND EXISTS (SELECT 1 FROM ${follows}
                  WHERE ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${homeTimeline.authorId})
    ORDER BY ${newestFirst(homeTimeline.createdAt, homeTimeline.tweetId)} LIMIT ${limit}`;
  const own = sql`SELECT ${tweets.id} AS id, ${tweets.createdAt} AS created_at FROM ${tweets}
    WHERE ${tweets.userId} = ${userId} AND ${self}::boolean AND ${page.where(tweets.createdAt, tweets.id)}
    ORDER BY ${newestFirst(tweets.createdAt, tweets.id)} LIMIT ${limit}`;
  const merged = sql`SELECT t.id, t.created_at
    FROM ${celebrities}
    JOIN ${follows} ON ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${celebrities.userId}
    CROSS JOIN LATERAL (
      SELECT ${tweets.id} AS id, ${tweets.createdAt} AS created_at FROM ${tweets}
      WHERE ${tweets.userId} = ${celebrities.userId} AND ${page.where(tweets.createdAt, tweets.id)}
      ORDER BY ${newestFirst(tweets.createdAt, tweets.id)} LIMIT ${limit}) AS t
    WHERE ${self}::boolean`;
  const entries = db.$with("entries", { id: tweets.id, createdAt: tweets.createdAt }).as(
    sql`SELECT id, created_at FROM ((${fannedOut}) UNION (${own}) UNION (${merged})) AS e
          ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
  );
  const list = selectTweets(db, caller).innerJoin(entries, eq(tweets.id, entries.id));
  const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)) };
  return selectWithFlags(db, flags, list.as("page"), { order: page, withs: [entries] });
};
