import { z } from "@hono/zod-openapi";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { userColumns } from "../../db/fragments";
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_PATTERN, USERNAME_RULE } from "../../lib/limits";
import { normalizePassword, PASSWORD_RULE, passwordKeepsRule } from "../../lib/text";

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
const callerOnly = (description: string) =>
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
    following: callerOnly("Whether you follow this user"),
    followed_by: callerOnly("Whether this user follows you"),
  })
  .openapi("User");

export const Credentials = z.object({ username: Username, password: Password }).openapi("Credentials");

export const UserUpdate = z
  .object({ username: Username.optional(), password: Password.optional() })
  .refine((b) => b.username !== undefined || b.password !== undefined, {
    message: "give username, password or both",
  })
  .openapi("UserUpdate");

/** A user row as the statements select it (src/db/fragments.ts). */
export type UserItem = SelectResultFields<ReturnType<typeof userColumns>>;

export const toUser = (u: UserItem): z.infer<typeof User> => ({
  id: u.id,
  username: u.username,
  created_at: u.createdAt.toISOString(),
  followers_count: u.followersCount,
  following_count: u.followingCount,
  tweet_count: u.tweetCount,
  ...(u.following === null || u.followedBy === null ? {} : { following: u.following, followed_by: u.followedBy }),
});
