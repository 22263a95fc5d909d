import { z } from "@hono/zod-openapi";
import { isoTime } from "../../db/sql";

export const MAX_TWEET_LENGTH = 280;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Content is stored NFC-normalised; its length is counted in code points after normalisation. */
export const Content = z
  .string()
  .transform((s) => s.normalize("NFC"))
  .refine((s) => s.trim().length > 0, "content must not be empty")
  .refine((s) => [...s].length <= MAX_TWEET_LENGTH, `content must be at most ${MAX_TWEET_LENGTH} characters`)
  .refine((s) => !s.includes("\u0000"), "content must not contain NUL characters")
  .refine((s) => !LONE_SURROGATE.test(s), "content must be valid Unicode (no lone surrogates)")
  .openapi({ type: "string", maxLength: MAX_TWEET_LENGTH, example: "Hello world" });

export const Tweet = z
  .object({
    id: z.number().int().openapi({ example: 23 }),
    content: z.string().openapi({ example: "Hello world" }),
    created_at: z.string().openapi({ format: "date-time", example: "2026-11-26T13:44:22.123Z" }),
    user_id: z.number().int().openapi({ example: 7 }),
    username: z.string().openapi({ example: "pineappledreamer" }),
    like_count: z.number().int().openapi({ example: 3 }),
    liked: z.boolean().optional().openapi({ description: "Whether the caller liked it; only with a token." }),
  })
  .openapi("Tweet");

export const NewTweet = z
  .object({
    content: Content,
    user_id: z
      .number()
      .int()
      .min(1)
      .max(2147483647)
      .optional()
      .openapi({ description: "Optional; must be the caller's own id." }),
  })
  .openapi("NewTweet");

export const IdempotencyKey = z
  .string()
  .regex(/^[\x20-\x7E]{1,64}$/, "Idempotency-Key must be 1-64 printable ASCII characters")
  .optional()
  .openapi({ description: "Retries with the same key return the first tweet instead of a new one." });

export type TweetRow = {
  id: number;
  content: string;
  created_at: Date | string;
  user_id: number;
  username: string;
  like_count: number;
  liked: boolean | null;
};

export const toTweet = (row: TweetRow): z.infer<typeof Tweet> => ({
  id: row.id,
  content: row.content,
  created_at: isoTime(row.created_at),
  user_id: row.user_id,
  username: row.username,
  like_count: Number(row.like_count),
  ...(row.liked === null || row.liked === undefined ? {} : { liked: row.liked }),
});
