import { type Column, eq, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { celebrities, follows, homeTimeline, tweets } from "../../db/schema";
import { callerOk, flag, muting, selectWithFlags, userExists } from "../../db/sql";
import { selectTweets, visibleTo } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/**
 * GET /users/{id}/timeline: the newest `scanRows` of three sources, each one index range read in
 * the timeline's order and cut at `scanRows`, so a page costs the same whatever the size of the
 * graph:
 *
 * 1. `home_timeline`: what the fan-out wrote for this user (followees with fewer followers than
 *    FANOUT_MAX_FOLLOWERS), skipping entries whose tweet is gone or whose author is no longer
 *    followed (one primary-key probe each);
 * 2. the user's own tweets (read-your-writes without waiting for any fan-out);
 * 3. the tweets of followed accounts in `celebrities` (never fanned out: merged here, one index
 *    range per such account; there are few, by construction).
 *
 * The union is sorted (at most a few pages of rows) and is the page's bounded scan (Page.scan):
 * entries by a muted author, reposted by a muted user, or by an author on either side of a block
 * with the caller are read but not shown, and the page leads on from the last entry read. Only for the user
 * themself (`self`, decided before the query: for anyone else the sources are empty, and 403).
 */
export const homeTimelinePage = (caller: Caller, userId: number, page: Page) => (db: Db) => {
  const limit = page.scanRows(true);
  const self = userId === caller.id;
  const newestFirst = (at: Column, id: Column) => sql.join(page.orderBy(at, id), sql`, `);
  const fannedOut = sql`SELECT ${homeTimeline.tweetId} AS id, ${homeTimeline.createdAt} AS created_at,
      ${homeTimeline.authorId} AS author_id, ${homeTimeline.repostedBy} AS reposted_by
    FROM ${homeTimeline}
    WHERE ${homeTimeline.userId} = ${userId} AND ${self}::boolean
      AND ${page.where(homeTimeline.createdAt, homeTimeline.tweetId)}
      AND EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${homeTimeline.tweetId})
      AND EXISTS (SELECT 1 FROM ${follows}
                  WHERE ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${homeTimeline.authorId})
    ORDER BY ${newestFirst(homeTimeline.createdAt, homeTimeline.tweetId)} LIMIT ${limit}`;
  const own = sql`SELECT ${tweets.id} AS id, ${tweets.createdAt} AS created_at, ${tweets.userId} AS author_id,
      NULL::int AS reposted_by
    FROM ${tweets}
    WHERE ${tweets.userId} = ${userId} AND ${self}::boolean AND ${page.where(tweets.createdAt, tweets.id)}
    ORDER BY ${newestFirst(tweets.createdAt, tweets.id)} LIMIT ${limit}`;
  const merged = sql`SELECT t.id, t.created_at, t.author_id, NULL::int AS reposted_by
    FROM ${celebrities}
    JOIN ${follows} ON ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${celebrities.userId}
    CROSS JOIN LATERAL (
      SELECT ${tweets.id} AS id, ${tweets.createdAt} AS created_at, ${tweets.userId} AS author_id FROM ${tweets}
      WHERE ${tweets.userId} = ${celebrities.userId} AND ${page.where(tweets.createdAt, tweets.id)}
      ORDER BY ${newestFirst(tweets.createdAt, tweets.id)} LIMIT ${limit}) AS t
    WHERE ${self}::boolean`;
  // The bounded scan (Page.scan) of the three sources' union: an entry is shown unless its author or
  // its reposter is muted by the caller, or a block stands between the caller and its author.
  const hidden = sql`${muting(caller.id, sql.raw("e.author_id"))}
    OR (e.reposted_by IS NOT NULL AND ${muting(caller.id, sql.raw("e.reposted_by"))})
    OR NOT ${visibleTo(caller, sql.raw("e.author_id"))}`;
  const scan = db
    .$with("scan", {
      id: tweets.id,
      createdAt: tweets.createdAt,
      shown: sql<boolean>`shown`.as("shown"),
    })
    .as(
      sql`SELECT e.id, e.created_at, NOT (${hidden}) AS shown
          FROM ((${fannedOut}) UNION (${own}) UNION (${merged})) AS e
          ORDER BY e.created_at DESC, e.id DESC LIMIT ${limit}`,
    );
  const list = page.shownRows(selectTweets(db, caller).innerJoin(scan, eq(tweets.id, scan.id)), scan).as("page");
  const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)), ...page.scanned(scan, true) };
  return selectWithFlags(db, flags, list, { order: page, withs: [scan] });
};
