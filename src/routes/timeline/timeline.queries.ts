import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { callerOk, flag, flagged, newestFirst, olderThan, tweetColumns, userExists } from "../../db/fragments";
import { celebrities, follows, homeTimeline, tweets, users } from "../../db/schema";
import type { Page } from "../../lib/pagination";
import type { Caller } from "../../middlewares/context";

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
 * themself: for anyone else the sources are empty and the flags answer 403.
 */
export const homeTimelinePage = (caller: Caller, userId: number, page: Page) => (db: Db) => {
  const limit = page.limit + 1;
  const self = userId === caller.id;
  const fannedOut = sql`SELECT ${homeTimeline.tweetId} AS id, ${homeTimeline.createdAt} AS created_at
    FROM ${homeTimeline}
    WHERE ${homeTimeline.userId} = ${userId} AND ${self}::boolean
      AND ${olderThan(page.after, homeTimeline.createdAt, homeTimeline.tweetId)}
      AND EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${homeTimeline.tweetId})
      AND EXISTS (SELECT 1 FROM ${follows}
                  WHERE ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${homeTimeline.authorId})
    ORDER BY ${homeTimeline.createdAt} DESC, ${homeTimeline.tweetId} DESC LIMIT ${limit}`;
  const own = sql`SELECT ${tweets.id} AS id, ${tweets.createdAt} AS created_at FROM ${tweets}
    WHERE ${tweets.userId} = ${userId} AND ${self}::boolean AND ${olderThan(page.after, tweets.createdAt, tweets.id)}
    ORDER BY ${tweets.createdAt} DESC, ${tweets.id} DESC LIMIT ${limit}`;
  const merged = sql`SELECT t.id, t.created_at
    FROM ${celebrities}
    JOIN ${follows} ON ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${celebrities.userId}
    CROSS JOIN LATERAL (
      SELECT ${tweets.id} AS id, ${tweets.createdAt} AS created_at FROM ${tweets}
      WHERE ${tweets.userId} = ${celebrities.userId} AND ${olderThan(page.after, tweets.createdAt, tweets.id)}
      ORDER BY ${tweets.createdAt} DESC, ${tweets.id} DESC LIMIT ${limit}) AS t
    WHERE ${self}::boolean`;
  const entries = db.$with("entries", { id: tweets.id, createdAt: tweets.createdAt }).as(
    sql`SELECT id, created_at FROM ((${fannedOut}) UNION (${own}) UNION (${merged})) AS e
          ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
  );
  const p = db
    .select(tweetColumns(caller))
    .from(entries)
    .innerJoin(tweets, eq(tweets.id, entries.id))
    .innerJoin(users, eq(users.id, tweets.userId))
    .as("page");
  const flags = {
    callerOk: callerOk(caller),
    found: flag("found", userExists(userId)),
    allowed: flag("allowed", sql`${self}::boolean`),
  };
  return flagged(db, flags, p, { order: (x) => newestFirst(x.createdAt, x.id), withs: [entries] });
};
