import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, jsonContent, jsonRequestBody, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { optionalAuth, requireAuth } from "../../middlewares/auth";
import { jsonBody } from "../../middlewares/json-body";
import { Tweet } from "../../models/tweet";
import { User } from "../../models/user";
import { NewLike } from "./likes.schemas";

const tags = ["Likes"];

export const likedTweets = createRoute({
  method: "get",
  path: "/users/{id}/liked_tweets",
  tags,
  summary: "Tweets a user liked, most recently liked first",
  middleware: [optionalAuth] as const,
  request: { params: z.object({ id: idParam("id", "User id") }), query: PageQuery },
  responses: { 200: pageOf(Tweet, "A page of tweets"), ...problems(400, 401, 404) },
});

export const likingUsers = createRoute({
  method: "get",
  path: "/tweets/{id}/liking_users",
  tags,
  summary: "Users who liked a tweet, most recent like first",
  middleware: [optionalAuth] as const,
  request: { params: z.object({ id: idParam("id", "Tweet id") }), query: PageQuery },
  responses: { 200: pageOf(User, "A page of users"), ...problems(400, 401, 404) },
});

export const like = createRoute({
  method: "post",
  path: "/users/{id}/likes",
  tags,
  summary: "Like a tweet (idempotent: 201 when new, 200 when already liked)",
  security: bearerSecurity,
  middleware: [requireAuth, jsonBody] as const,
  request: { params: z.object({ id: idParam("id", "Your user id") }), body: jsonRequestBody(NewLike) },
  responses: {
    201: jsonContent(Tweet, "Newly liked"),
    200: jsonContent(Tweet, "Already liked; the like keeps its first time"),
    ...problems(400, 401, 403, 404, 413, 415, 429),
  },
});

export const unlike = createRoute({
  method: "delete",
  path: "/users/{id}/likes/{tweet_id}",
  tags,
  summary: "Unlike a tweet (idempotent: 204 whether or not it was liked)",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: {
    params: z.object({ id: idParam("id", "Your user id"), tweet_id: idParam("tweet_id", "Tweet id") }),
  },
  responses: { 204: { description: "Not liked (any more)" }, ...problems(400, 401, 403, 404, 429) },
});
