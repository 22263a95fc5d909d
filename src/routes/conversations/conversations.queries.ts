import { asc, type Column, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Page } from "../../db/keyset";
import { tweets } from "../../db/schema";
import { callerOk, flag, selectWithFlags, tweetExists } from "../../db/sql";
import { MAX_ANCESTORS, MAX_DESCENDANT_DEPTH, MAX_DESCENDANTS } from "../../lib/limits";
import { selectTweets, visibleTo, visibleTweets } from "../../models/tweet";
import type { Caller, Db } from "../../types";

/** GET /tweets/{id}/replies: the direct replies, oldest first (created_at, then id, ascending). */
export const replies = (caller: Caller | undefined, tweetId: number, page: Page) => (db: Db) => {
  const { scan, list, flags } = visibleTweets(db, caller, page, eq(tweets.inReplyToTweetId, tweetId));
  const found = flag("found", tweetExists(tweetId));
  return selectWithFlags(db, { callerOk: callerOk(caller), found, ...flags }, list, { order: page, withs: [scan] });
};

const child = alias(tweets, "child");
const parent = alias(tweets, "parent");

/**
 * GET /tweets/{id}/context, one statement with two bounded recursive CTEs:
 *
 * - ancestors: from the tweet up its chain of parents, one primary-key lookup per step, at most
 *   MAX_ANCESTORS steps; the chain ends at the first parent that no longer exists (a gap).
 *   Listed root side first.
 * - descendants: level by level down the replies index, depth-first order kept as a path of
 *   sibling ranks (each tweet's replies oldest first). Each level keeps only the MAX_DESCENDANTS
 *   first nodes in that order and each node only its MAX_DESCENDANTS first replies (nothing later
 *   can be among the first MAX_DESCENDANTS of the walk), and the walk stops MAX_DESCENDANT_DEPTH
 *   levels down: the work is bounded whatever the size of the thread.
 *
 * A tweet whose author blocks the caller or is blocked by them (`visibleTo`) stops either walk:
 * the ancestors end below it, and it and its replies are not among the descendants.
 */
export const context = (caller: Caller | undefined, tweetId: number) => (db: Db) => {
  // A tweet the caller does not see ends the ancestors below it, and leaves the descendants with its replies.
  const shown = (authorId: Column) => visibleTo(caller, authorId);
  const walk = db
    .$with("walk", {
      id: tweets.id,
      kind: sql<"ancestor" | "descendant">`kind`.as("kind"),
      sortKey: sql<number[]>`sort_key`.as("sort_key"),
    })
    .as(
      sql`WITH RECURSIVE ancestors(id, parent_id, depth) AS (
            SELECT ${parent.id}, ${parent.inReplyToTweetId}, 1
            FROM ${tweets} AS ${child} JOIN ${tweets} AS ${parent} ON ${parent.id} = ${child.inReplyToTweetId}
            WHERE ${child.id} = ${tweetId} AND ${shown(parent.userId)}
            UNION ALL
            SELECT ${parent.id}, ${parent.inReplyToTweetId}, a.depth + 1
            FROM ancestors AS a JOIN ${tweets} AS ${parent} ON ${parent.id} = a.parent_id
            WHERE a.depth < ${MAX_ANCESTORS} AND ${shown(parent.userId)}),
          descendants(id, path, depth) AS (
            SELECT ${tweets.id}, ARRAY[]::int[], 0 FROM ${tweets} WHERE ${tweets.id} = ${tweetId}
            UNION ALL
            SELECT level.id, level.path, level.depth FROM (
              SELECT r.id, d.path || r.rank AS path, d.depth + 1 AS depth,
                     row_number() OVER (ORDER BY d.path, r.rank) AS level_rank
              FROM descendants AS d CROSS JOIN LATERAL (
                SELECT ${child.id} AS id, (row_number() OVER (ORDER BY ${child.createdAt}, ${child.id}))::int AS rank
                FROM ${tweets} AS ${child} WHERE ${child.inReplyToTweetId} = d.id AND ${shown(child.userId)}
                ORDER BY ${child.createdAt}, ${child.id} LIMIT ${MAX_DESCENDANTS}) AS r
              WHERE d.depth < ${MAX_DESCENDANT_DEPTH}) AS level
            WHERE level.level_rank <= ${MAX_DESCENDANTS})
          (SELECT id, 'ancestor' AS kind, ARRAY[-depth] AS sort_key FROM ancestors)
          UNION ALL
          (SELECT id, 'descendant', path FROM descendants WHERE depth > 0 ORDER BY path LIMIT ${MAX_DESCENDANTS})`,
    );
  const thread = selectTweets(db, caller, { kind: walk.kind, sortKey: walk.sortKey })
    .innerJoin(walk, eq(tweets.id, walk.id))
    .as("page");
  const flags = { callerOk: callerOk(caller), found: flag("found", tweetExists(tweetId)) };
  return selectWithFlags(db, flags, thread, { order: [asc(thread.kind), asc(thread.sortKey)], withs: [walk] });
};
