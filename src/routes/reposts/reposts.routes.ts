import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, jsonContent, jsonRequestBody, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { optionalAuth, requireAuth } from "../../middlewares/auth";
import { jsonBody } from "../../middlewares/json-body";
import { Tweet } from "../../models/tweet";
import { User } from "../../models/user";
import { NewRepost } from "./reposts.schemas";

const tags = ["Reposts"];

export const repostedBy = createRoute({
  method: "get",
  path: "/tweets/{id}/reposted_by",
  tags,
  summary: "Users who reposted a tweet, most recent repost first",
  middleware: [optionalAuth] as const,
  request: { params: z.object({ id: idParam("id", "Tweet id") }), query: PageQuery },
  responses: { 200: pageOf(User, "A page of users"), ...problems(400, 401, 404) },
});

export const repost = createRoute({
  method: "post",
  path: "/users/{id}/reposts",
  tags,
  summary: "Repost a tweet (idempotent: 201 when new, 200 when already reposted)",
  description:
    "The repost is an entry of your home timeline at once, and of your followers' within seconds. " +
    "403 also while a block stands between you and the tweet's author, either way.",
  security: bearerSecurity,
  middleware: [requireAuth, jsonBody] as const,
  request: { params: z.object({ id: idParam("id", "Your user id") }), body: jsonRequestBody(NewRepost) },
  responses: {
    201: jsonContent(Tweet, "Newly reposted"),
    200: jsonContent(Tweet, "Already reposted; the repost keeps its first time"),
    ...problems(400, 401, 403, 404, 413, 415, 429),
  },
});

export const unrepost = createRoute({
  method: "delete",
  path: "/users/{id}/reposts/{tweet_id}",
  tags,
  summary: "Undo a repost (idempotent: 204 whether or not it was reposted)",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: {
    params: z.object({ id: idParam("id", "Your user id"), tweet_id: idParam("tweet_id", "Tweet id") }),
  },
  responses: { 204: { description: "Not reposted (any more)" }, ...problems(400, 401, 403, 404, 429) },
});
