import { z } from "@hono/zod-openapi";
import { eq, type SQL } from "drizzle-orm";
import type { Order } from "../db/keyset";
import { NOTIFICATION_TYPES, type NotificationType, tweets, users } from "../db/schema";
import type { Caller, Db } from "../types";
import { selectTweets, Tweet, type TweetRow, toTweet } from "./tweet";
import { selectUsers, toUser, User, type UserRow } from "./user";

/**
 * The Notification the API returns, in one place: its actor (a User) and its tweet (a Tweet or
 * null) for a caller, built by the User and Tweet models, its JSON schema and mapping.
 */

/** A list's notification before its actor and tweet are looked up: one row of `notifications`. */
export type ListedNotification = {
  id: number;
  type: NotificationType;
  createdAt: Date;
  actorId: number;
  tweetId: number | null;
};

/**
 * The actor and the tweet of the notifications of a page (`listed`: a subquery with `actorId` and
 * `tweetId`), each looked up by primary key, for the caller: LATERAL joins after the page.
 */
export const notificationParts = (
  db: Db,
  caller: Caller | undefined,
  listed: { actorId: SQL.Aliased | unknown; tweetId: SQL.Aliased | unknown },
) => ({
  actor: selectUsers(db, caller)
    .where(eq(users.id, listed.actorId as typeof users.id))
    .as("actor"),
  tweet: selectTweets(db, caller)
    .where(eq(tweets.id, listed.tweetId as typeof tweets.id))
    .as("tweet"),
});

export const NotificationTypeSchema = z.enum(NOTIFICATION_TYPES);

export const Notification = z
  .object({
    id: z.number().int().openapi({ example: 91 }),
    type: NotificationTypeSchema.openapi({ example: "like" }),
    created_at: z.string().openapi({ format: "date-time", example: "2026-11-26T13:44:22.123Z" }),
    actor: User.openapi({ description: "Who acted." }),
    tweet: Tweet.nullable().openapi({
      description:
        "The tweet concerned: the liked or reposted tweet, or the reply, quote or mentioning tweet; null for a follow.",
    }),
  })
  .openapi("Notification");

/** A notification of a page with its actor and tweet (null for a follow), as the statement read them. */
export type NotificationRow = ListedNotification & { actor: UserRow; tweet: TweetRow | null };

export const toNotification = (n: NotificationRow): z.infer<typeof Notification> => ({
  id: n.id,
  type: n.type,
  created_at: n.createdAt.toISOString(),
  actor: toUser(n.actor),
  tweet: n.tweet === null ? null : toTweet(n.tweet),
});

/** Notifications: newest first (created_at, then id). */
export const NEWEST_NOTIFICATIONS: Order = { direction: "desc", at: "createdAt" };
