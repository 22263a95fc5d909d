import { type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { TIMELINE_KEEP } from "../lib/limits";
import { homeTimeline, tweets } from "./schema";

const entry = alias(homeTimeline, "entry");

/**
 * Trims the home timelines of the users that `userIds` (a subquery of one `user_id` column)
 * selects: every entry older than the TIMELINE_KEEP-th newest entry whose tweet still exists goes
 * (with the dangling entries among them), so at least TIMELINE_KEEP live entries stay reachable.
 * OFFSET here finds that edge within one user's bounded timeline; no list is paged by OFFSET.
 */
export const trimTimelines = (userIds: SQL) => sql`
  DELETE FROM ${homeTimeline} USING (
    SELECT u.user_id, e.created_at, e.tweet_id
    FROM (${userIds}) AS u(user_id)
    CROSS JOIN LATERAL (
      SELECT ${entry.createdAt} AS created_at, ${entry.tweetId} AS tweet_id
      FROM ${homeTimeline} AS ${entry}
      WHERE ${entry.userId} = u.user_id AND EXISTS (SELECT 1 FROM ${tweets} WHERE ${tweets.id} = ${entry.tweetId})
      ORDER BY ${entry.createdAt} DESC, ${entry.tweetId} DESC
      OFFSET ${TIMELINE_KEEP - 1} LIMIT 1) AS e
  ) AS edge
  WHERE ${homeTimeline.userId} = edge.user_id
    AND (${homeTimeline.createdAt}, ${homeTimeline.tweetId}) < (edge.created_at, edge.tweet_id)`;
