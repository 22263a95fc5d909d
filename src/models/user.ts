import { z } from "@hono/zod-openapi";
import type { SelectedFields } from "drizzle-orm/pg-core";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { Order } from "../db/keyset";
import { users } from "../db/schema";
import { blocking, callerOnly, followingUser, muting } from "../db/sql";
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_PATTERN, USERNAME_RULE } from "../lib/limits";
import { notFound } from "../lib/problem";
import { normalizePassword, PASSWORD_RULE, passwordKeepsRule } from "../lib/text";
import type { Caller, Db } from "../types";

/**
 * The User the API returns, in one place: its columns for a caller (`selectUsers`), its JSON
 * schema, the mapping from one to the other, and its not-found problem. A field for the caller
 * (blocking, muting) is added here: a column in `userColumns`, a property in `User` and `toUser`.
 */

/** The columns of a User, from `users` (and, with a token, whether the caller follows them and they the caller, blocks and mutes them). */
export const userColumns = (caller: Caller | undefined) => ({
  id: users.id,
  username: users.username,
  createdAt: users.createdAt,
  followersCount: users.followersCount,
  followingCount: users.followingCount,
  tweetCount: users.tweetCount,
  following: callerOnly(caller, "following", (c) => followingUser(c.id, users.id)),
  followedBy: callerOnly(caller, "followed_by", (c) => followingUser(users.id, c.id)),
  blocking: callerOnly(caller, "blocking", (c) => blocking(c.id, users.id)),
  muting: callerOnly(caller, "muting", (c) => muting(c.id, users.id)),
});

export type UserRow = SelectResultFields<ReturnType<typeof userColumns>>;

/** Users for a caller (with `extra` columns), for any join and WHERE after: every list of users starts here. */
export const selectUsers = <E extends SelectedFields = Record<string, never>>(
  db: Db,
  caller: Caller | undefined,
  extra?: E,
) =>
  db
    .select({ ...userColumns(caller), ...(extra as E) })
    .from(users)
    .$dynamic();

export const Username = z
  .string()
  .regex(new RegExp(USERNAME_PATTERN), USERNAME_RULE)
  .openapi({ example: "pineappledreamer" });

/** A new password: valid Unicode, 8-128 characters after NFC normalisation, and hashed in that form. */
export const Password = z
  .string()
  .transform(normalizePassword)
  .refine(passwordKeepsRule, PASSWORD_RULE)
  .openapi({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, example: "correct horse battery" });

const count = (description: string, example: number) => z.number().int().openapi({ description, example });
const forCaller = (description: string) =>
  z
    .boolean()
    .optional()
    .openapi({ description: `${description}; only with a token (false for yourself).` });

export const User = z
  .object({
    id: z.number().int().openapi({ example: 7 }),
    username: z.string().openapi({ example: "pineappledreamer" }),
    created_at: z.string().openapi({ format: "date-time", example: "2026-11-26T13:44:22.123Z" }),
    followers_count: count("Users who follow this user", 12),
    following_count: count("Users this user follows", 40),
    tweet_count: count("Tweets by this user", 310),
    following: forCaller("Whether you follow this user"),
    followed_by: forCaller("Whether this user follows you"),
    blocking: forCaller("Whether you block this user"),
    muting: forCaller("Whether you mute this user"),
  })
  .openapi("User");

export const toUser = (u: UserRow): z.infer<typeof User> => ({
  id: u.id,
  username: u.username,
  created_at: u.createdAt.toISOString(),
  followers_count: u.followersCount,
  following_count: u.followingCount,
  tweet_count: u.tweetCount,
  ...(u.following === null || u.followedBy === null || u.blocking === null || u.muting === null
    ? {}
    : { following: u.following, followed_by: u.followedBy, blocking: u.blocking, muting: u.muting }),
});

/** A User row as a transaction returns it (runTransaction: column names, the driver's types). */
export const userFromRow = (r: Record<string, unknown>): UserRow => {
  const flag = (v: unknown) => (v === null || v === undefined ? null : v === true || v === "t" || v === "true");
  return {
    id: Number(r.id),
    username: String(r.username),
    createdAt: users.createdAt.mapFromDriverValue(r.created_at as string),
    followersCount: Number(r.followers_count),
    followingCount: Number(r.following_count),
    tweetCount: Number(r.tweet_count),
    following: flag(r.following),
    followedBy: flag(r.followed_by),
    blocking: flag(r.blocking),
    muting: flag(r.muting),
  } as UserRow;
};

export const userNotFound = (id: number) => () => notFound(`User ${id} does not exist.`);

/** Blocks and mutes: most recent first, by the block's or mute's time, then the user's id. */
export const RECENT_RELATIONS: Order = { direction: "desc", at: "since" };

/** GET /users: id ascending. */
export const USERS_BY_ID: Order = { direction: "asc" };
