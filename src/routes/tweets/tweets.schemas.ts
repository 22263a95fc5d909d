import { z } from "@hono/zod-openapi";
import { idField } from "../../http/openapi";
import { IDEMPOTENCY_KEY_PATTERN, MAX_TWEET_LENGTH } from "../../lib/limits";

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

export const NewTweet = z
  .object({
    content: Content,
    user_id: idField("user_id", "Optional; must be your own id.").optional(),
    in_reply_to_tweet_id: idField("in_reply_to_tweet_id", "Post as a reply to this tweet.").optional(),
  })
  .openapi("NewTweet");

export const IdempotencyKey = z
  .string()
  .regex(new RegExp(IDEMPOTENCY_KEY_PATTERN), "Idempotency-Key must be 1-64 printable ASCII characters")
  .optional()
  .openapi({ description: "Retries with the same key return the first tweet instead of a new one." });
