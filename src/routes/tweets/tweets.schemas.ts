import { z } from "@hono/zod-openapi";
import { idField } from "../../http/openapi";
import { IDEMPOTENCY_KEY_PATTERN, MAX_TWEET_LENGTH } from "../../lib/limits";
import { CONTENT_PATTERN, CONTENT_RULE, contentProblem, normalizeContent } from "../../lib/text";

/** Content is stored NFC-normalised; the rule (src/lib/text.ts) is checked on the normalised text. */
export const Content = z
  .string()
  .transform(normalizeContent)
  .superRefine((s, ctx) => {
    const problem = contentProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    type: "string",
    maxLength: MAX_TWEET_LENGTH,
    pattern: CONTENT_PATTERN,
    description: CONTENT_RULE,
    example: "Hello world",
  });

export const NewTweet = z
  .object({
    content: Content,
    user_id: idField("user_id", "Optional; must be your own id.").optional(),
    in_reply_to_tweet_id: idField("in_reply_to_tweet_id", "Post as a reply to this tweet.").optional(),
    quoted_tweet_id: idField("quoted_tweet_id", "Quote this tweet (a tweet can be a reply and a quote).").optional(),
  })
  .openapi("NewTweet");

export const IdempotencyKey = z
  .string()
  .regex(new RegExp(IDEMPOTENCY_KEY_PATTERN), "Idempotency-Key must be 1-64 printable ASCII characters")
  .optional()
  .openapi({
    description:
      "Retries with the same key (and the same body) return the first tweet instead of a new one; the same key with another body is 422.",
  });
