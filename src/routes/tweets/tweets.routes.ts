import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, jsonContent, jsonRequestBody, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { optionalAuth, requireAuth } from "../../middlewares/auth";
import { jsonBody } from "../../middlewares/json-body";
import { Tweet } from "../../models/tweet";
import { IdempotencyKey, NewTweet } from "./tweets.schemas";

const tags = ["Tweets"];
const TweetParams = z.object({ id: idParam("id", "Tweet id") });

export const list = createRoute({
  method: "get",
  path: "/tweets",
  tags,
  summary: "All tweets, newest first",
  middleware: [optionalAuth] as const,
  request: { query: PageQuery },
  responses: { 200: pageOf(Tweet, "A page of tweets"), ...problems(400, 401) },
});

export const create = createRoute({
  method: "post",
  path: "/tweets",
  tags,
  summary: "Post a tweet, a reply (in_reply_to_tweet_id), a quote (quoted_tweet_id), or both",
  security: bearerSecurity,
  middleware: [requireAuth, jsonBody] as const,
  request: {
    headers: z.object({ "idempotency-key": IdempotencyKey }),
    body: jsonRequestBody(NewTweet),
  },
  responses: {
    201: {
      ...jsonContent(Tweet, "The new tweet (or, for a retried Idempotency-Key, the first one)"),
      headers: { Location: { description: "/tweets/{id}", schema: { type: "string" as const } } },
    },
    ...problems(400, 401, 403, 404, 413, 415, 422, 429),
  },
});

export const get = createRoute({
  method: "get",
  path: "/tweets/{id}",
  tags,
  summary: "Get a tweet",
  middleware: [optionalAuth] as const,
  request: { params: TweetParams },
  responses: { 200: jsonContent(Tweet, "The tweet"), ...problems(400, 401, 404) },
});

export const remove = createRoute({
  method: "delete",
  path: "/tweets/{id}",
  tags,
  summary: "Delete your tweet (its likes go too; its replies stay)",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: { params: TweetParams },
  responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 404, 429) },
});

export const userTweets = createRoute({
  method: "get",
  path: "/users/{id}/tweets",
  tags,
  summary: "A user's tweets, newest first",
  middleware: [optionalAuth] as const,
  request: { params: z.object({ id: idParam("id", "User id") }), query: PageQuery },
  responses: { 200: pageOf(Tweet, "A page of tweets"), ...problems(400, 401, 404) },
});

export const quotes = createRoute({
  method: "get",
  path: "/tweets/{id}/quotes",
  tags,
  summary: "The tweets quoting a tweet, newest first",
  middleware: [optionalAuth] as const,
  request: { params: TweetParams, query: PageQuery },
  responses: { 200: pageOf(Tweet, "A page of tweets"), ...problems(400, 401, 404) },
});
