import { z } from "@hono/zod-openapi";

export const NewLike = z
  .object({ tweet_id: z.number().int().min(1).max(2147483647).openapi({ example: 23 }) })
  .openapi("NewLike");
