import { z } from "@hono/zod-openapi";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import type { tweetColumns } from "../../db/fragments";
import { IDEMPOTENCY_KEY_PATTERN, MAX_TWEET_LENGTH } from "../../lib/limits";
import { idField } from "../../lib/openapi";
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

export const Tweet = z
  .object({
    id: z.number().int().openapi({ example: 23 }),
    content: z.string().openapi({ example: "Hello world" }),
    created_at: z.string().openapi({ format: "date-time", example: "2026-11-26T13:44:22.123Z" }),
    user_id: z.number().int().openapi({ example: 7 }),
    username: z.string().openapi({ example: "pineappledreamer" }),
    like_count: z.number().int().openapi({ example: 3 }),
    in_reply_to_tweet_id: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The tweet this one replies to (it may have been deleted since).", example: null }),
    conversation_id: z.number().int().openapi({
      description: "The id of the conversation's first tweet (its own id for a first tweet).",
      example: 23,
    }),
    reply_count: z.number().int().openapi({ description: "Direct replies.", example: 0 }),
    liked: z.boolean().optional().openapi({ description: "Whether you liked it; only with a token." }),
  })
  .openapi("Tweet");

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
  .openapi({
    description:
      "Retries with the same key (and the same body) return the first tweet instead of a new one; the same key with another body is 422.",
  });

/** A tweet row as the statements select it (src/db/fragments.ts). */
export type TweetItem = SelectResultFields<ReturnType<typeof tweetColumns>>;

export const toTweet = (t: TweetItem): z.infer<typeof Tweet> => ({
  id: t.id,
  content: t.content,
  created_at: t.createdAt.toISOString(),
  user_id: t.userId,
  username: t.username,
  like_count: t.likeCount,
  in_reply_to_tweet_id: t.inReplyToTweetId,
  conversation_id: t.conversationId,
  reply_count: t.replyCount,
  ...(t.liked === null ? {} : { liked: t.liked }),
});
