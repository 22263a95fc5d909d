import { createRoute, z } from "@hono/zod-openapi";
import { pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { MAX_QUERY_LENGTH } from "../../lib/limits";
import { optionalAuth } from "../../middlewares/auth";
import { Tweet } from "../../models/tweet";

const Q_RULE = `q must be 1-${MAX_QUERY_LENGTH} characters, not blank`;

export const SearchQueryParams = PageQuery.extend({
  q: z
    .string({ error: Q_RULE })
    .refine((q) => q.trim().length > 0 && [...q].length <= MAX_QUERY_LENGTH, Q_RULE)
    .openapi({
      description:
        'Words (all must match; English stemming), "a phrase", -word, OR, #hashtag, from:username. ' +
        `At most ${MAX_QUERY_LENGTH} characters.`,
      example: "edge #serverless -php",
      param: { name: "q", in: "query", required: true },
    }),
});

export const search = createRoute({
  method: "get",
  path: "/tweets/search",
  tags: ["Search"],
  summary: "Search tweets, newest first",
  middleware: [optionalAuth] as const,
  request: { query: SearchQueryParams },
  responses: { 200: pageOf(Tweet, "A page of matching tweets"), ...problems(400, 401) },
});
