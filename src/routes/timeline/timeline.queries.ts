import { type Column, eq, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Page } from "../../db/keyset";
import { celebrities, follows, homeTimeline, reposts, tweets, users } from "../../db/schema";
import { callerOk, flag, muting, selectWithFlags, userExists } from "../../db/sql";
import { selectTweets, visibleTo } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/**
 * GET /users/{id}/timeline: the newest `limit + 1` entries of five sources, each one index range
 * read in the timeline's order (entry time, then tweet id) and cut at `limit + 1`, so a page costs
 * the same whatever the size of the graph:
 *
 * 1. `home_timeline`: what the fan-out wrote for this user — posts and reposts of followees with
 *    fewer followers than FANOUT_MAX_FOLLOWERS — skipping entries whose tweet is gone, whose source
 *    (author or reposter) is no longer followed, or whose repost is gone (one primary-key probe each);
 * 2. the user's own tweets and 3. own reposts (read-your-writes without waiting for any fan-out);
 * 4. the tweets of followed accounts in `celebrities` (never fanned out: merged here, one index
 *    range per such account; there are few, by construction);
 * 5. the reposts of those accounts, likewise (one range of the reposts index per account).
 *
 * A tweet appears once, at its first entry: a repost entry is left out when the tweet's author is
 * the user or followed (the post is the first entry) or when an earlier repost of it by the user
 * or a followed account is there (an index probe of home_timeline's (user, tweet) entries, one
 * primary-key probe of `reposts` for the user's own and one per followed celebrity). The rule
 * depends on the entry alone, not on the page, so it holds across pages too. The union, sorted (at
 * most a few pages of rows), is the page's bounded scan (Page.scan): entries by a muted author,
 * reposted by a muted user, or by an author on either side of a block with the caller are read but
 * not shown (a primary-key probe of the tweet's author each), and the page leads on from the last
 * entry read. Only for the user themself (`self`, decided before the query: for anyone else the
 * sources are empty, and 403).
 */
export const homeTimelinePage = (caller: Caller, userId: number, page: Page) => (db: Db) => {
  const limit = page.scanRows(true);
  const self = userId === caller.id;
  const newestFirst = (at: Column, id: Column) => sql.join(page.orderBy(at, id), sql`, `);
  const followed = (user: Column | SQL) =>
    sql`(${user} = ${userId} OR EXISTS (SELECT 1 FROM ${follows}
          WHERE ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${user}))`;
  const earlier = alias(homeTimeline, "earlier");
  /** A repost entry still stands: its repost exists, with the entry's time. */
  const repostStands = (by: Column | SQL, tweetId: Column | SQL, at: Column | SQL) =>
    sql`EXISTS (SELECT 1 FROM ${reposts}
          WHERE ${reposts.userId} = ${by} AND ${reposts.tweetId} = ${tweetId} AND ${reposts.createdAt} = ${at})`;
  /** The repost of `tweetId` at `at` is not the tweet's first entry in this timeline. */
  const notFirst = (tweetId: Column | SQL, at: Column | SQL) => sql`(
      EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${tweetId} AND ${followed(tweets.userId)})
      OR EXISTS (SELECT 1 FROM ${homeTimeline} AS ${earlier}
                 WHERE ${earlier.userId} = ${userId} AND ${earlier.tweetId} = ${tweetId} AND ${earlier.createdAt} < ${at}
                   AND ${earlier.repostedBy} IS NOT NULL AND ${followed(earlier.authorId)}
                   AND ${repostStands(earlier.repostedBy, tweetId, earlier.createdAt)})
      OR EXISTS (SELECT 1 FROM ${reposts}
                 WHERE ${reposts.userId} = ${userId} AND ${reposts.tweetId} = ${tweetId} AND ${reposts.createdAt} < ${at})
      OR EXISTS (SELECT 1 FROM ${celebrities}
                 JOIN ${follows} ON ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${celebrities.userId}
                 JOIN ${reposts} ON ${reposts.userId} = ${celebrities.userId} AND ${reposts.tweetId} = ${tweetId}
                 WHERE ${reposts.createdAt} < ${at}))`;
  // A repost entry stands while its repost does, with the entry's time (a repost undone and redone
  // is a new entry): a primary-key probe per entry (LATERAL … LIMIT 1: a plain join or an EXISTS
  // under OR may be planned as a hash or a sort of every repost).
  const fannedOut = sql`SELECT ${homeTimeline.tweetId} AS id, ${homeTimeline.createdAt} AS entered_at,
           ${homeTimeline.repostedBy} AS reposted_by
    FROM ${homeTimeline}
    LEFT JOIN LATERAL (SELECT true AS stands FROM ${reposts}
      WHERE ${reposts.userId} = ${homeTimeline.repostedBy} AND ${reposts.tweetId} = ${homeTimeline.tweetId}
        AND ${reposts.createdAt} = ${homeTimeline.createdAt} LIMIT 1) AS repost ON true
    WHERE ${homeTimeline.userId} = ${userId} AND ${self}::boolean
      AND ${page.where(homeTimeline.createdAt, homeTimeline.tweetId)}
      AND EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${homeTimeline.tweetId})
      AND EXISTS (SELECT 1 FROM ${follows}
                  WHERE ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${homeTimeline.authorId})
      AND (${homeTimeline.repostedBy} IS NULL OR (repost.stands
        AND NOT ${notFirst(homeTimeline.tweetId, homeTimeline.createdAt)}))
    ORDER BY ${newestFirst(homeTimeline.createdAt, homeTimeline.tweetId)} LIMIT ${limit}`;
  const own = sql`SELECT ${tweets.id} AS id, ${tweets.createdAt} AS entered_at, NULL::int AS reposted_by FROM ${tweets}
    WHERE ${tweets.userId} = ${userId} AND ${self}::boolean AND ${page.where(tweets.createdAt, tweets.id)}
    ORDER BY ${newestFirst(tweets.createdAt, tweets.id)} LIMIT ${limit}`;
  const ownReposts = sql`SELECT ${reposts.tweetId} AS id, ${reposts.createdAt} AS entered_at, ${reposts.userId} AS reposted_by
    FROM ${reposts}
    WHERE ${reposts.userId} = ${userId} AND ${self}::boolean AND ${page.where(reposts.createdAt, reposts.tweetId)}
      AND NOT ${notFirst(reposts.tweetId, reposts.createdAt)}
    ORDER BY ${newestFirst(reposts.createdAt, reposts.tweetId)} LIMIT ${limit}`;
  const celebrity = sql`FROM ${celebrities}
    JOIN ${follows} ON ${follows.followerId} = ${userId} AND ${follows.followeeId} = ${celebrities.userId}`;
  const merged = sql`SELECT t.id, t.entered_at, NULL::int AS reposted_by ${celebrity}
    CROSS JOIN LATERAL (
      SELECT ${tweets.id} AS id, ${tweets.createdAt} AS entered_at FROM ${tweets}
      WHERE ${tweets.userId} = ${celebrities.userId} AND ${page.where(tweets.createdAt, tweets.id)}
      ORDER BY ${newestFirst(tweets.createdAt, tweets.id)} LIMIT ${limit}) AS t
    WHERE ${self}::boolean`;
  const mergedReposts = sql`SELECT r.id, r.entered_at, ${celebrities.userId} AS reposted_by ${celebrity}
    CROSS JOIN LATERAL (
      SELECT ${reposts.tweetId} AS id, ${reposts.createdAt} AS entered_at FROM ${reposts}
      WHERE ${reposts.userId} = ${celebrities.userId} AND ${page.where(reposts.createdAt, reposts.tweetId)}
        AND NOT ${notFirst(reposts.tweetId, reposts.createdAt)}
      ORDER BY ${newestFirst(reposts.createdAt, reposts.tweetId)} LIMIT ${limit}) AS r
    WHERE ${self}::boolean`;
  const author = sql`(SELECT ${tweets.userId} FROM ${tweets} WHERE ${tweets.id} = e.id)`;
  const hidden = sql`${muting(caller.id, author)}
    OR (e.reposted_by IS NOT NULL AND ${muting(caller.id, sql.raw("e.reposted_by"))})
    OR NOT ${visibleTo(caller, author)}`;
  const scan = db
    .$with("scan", {
      id: tweets.id,
      enteredAt: sql<Date>`entered_at`.mapWith(tweets.createdAt).as("entered_at"),
      repostedBy: homeTimeline.repostedBy,
      shown: sql<boolean>`shown`.as("shown"),
    })
    .as(
      sql`SELECT e.id, e.entered_at, e.reposted_by, NOT (${hidden}) AS shown
          FROM ((${fannedOut}) UNION (${own}) UNION (${ownReposts}) UNION (${merged}) UNION (${mergedReposts})) AS e
          ORDER BY e.entered_at DESC, e.id DESC LIMIT ${limit}`,
    );
  const reposter = alias(users, "reposter");
  const entries = selectTweets(db, caller, {
    enteredAt: scan.enteredAt,
    repostedById: sql<number | null>`${reposter.id}`.as("reposted_by_id"),
    repostedByUsername: sql<string | null>`${reposter.username}`.as("reposted_by_username"),
  })
    .innerJoin(scan, eq(tweets.id, scan.id))
    .leftJoin(reposter, eq(reposter.id, scan.repostedBy));
  const list = page.shownRows(entries, scan).as("page");
  const flags = { callerOk: callerOk(caller), found: flag("found", userExists(userId)), ...page.scanned(scan, true) };
  return selectWithFlags(db, flags, list, { order: page, withs: [scan] });
};
