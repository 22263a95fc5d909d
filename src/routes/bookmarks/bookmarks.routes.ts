import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, jsonContent, jsonRequestBody, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { requireAuth } from "../../middlewares/auth";
import { jsonBody } from "../../middlewares/json-body";
import { Tweet } from "../../models/tweet";
import { NewBookmark } from "./bookmarks.schemas";

const tags = ["Bookmarks"];

export const bookmarks = createRoute({
  method: "get",
  path: "/users/{id}/bookmarks",
  tags,
  summary: "Your bookmarks, most recently bookmarked first (private: yours only)",
  description:
    "Tweets by a user who blocks you or whom you block are left out; a page may then hold fewer tweets than " +
    "`limit` while its `Link` still leads on.",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: idParam("id", "Your user id") }), query: PageQuery },
  responses: { 200: pageOf(Tweet, "A page of tweets"), ...problems(400, 401, 403, 404, 429) },
});

export const bookmark = createRoute({
  method: "post",
  path: "/users/{id}/bookmarks",
  tags,
  summary: "Bookmark a tweet (idempotent: 201 when new, 200 when already bookmarked)",
  security: bearerSecurity,
  middleware: [requireAuth, jsonBody] as const,
  request: { params: z.object({ id: idParam("id", "Your user id") }), body: jsonRequestBody(NewBookmark) },
  responses: {
    201: jsonContent(Tweet, "Newly bookmarked"),
    200: jsonContent(Tweet, "Already bookmarked; the bookmark keeps its first time"),
    ...problems(400, 401, 403, 404, 413, 415, 429),
  },
});

export const unbookmark = createRoute({
  method: "delete",
  path: "/users/{id}/bookmarks/{tweet_id}",
  tags,
  summary: "Remove a bookmark (idempotent: 204 whether or not it was bookmarked)",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: {
    params: z.object({ id: idParam("id", "Your user id"), tweet_id: idParam("tweet_id", "Tweet id") }),
  },
  responses: { 204: { description: "Not bookmarked (any more)" }, ...problems(400, 401, 403, 404, 429) },
});
