import { createRoute, z } from "@hono/zod-openapi";
import { idParam, jsonContent, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { optionalAuth } from "../../middlewares/auth";
import { Tweet } from "../../models/tweet";
import { Context } from "./conversations.schemas";

const tags = ["Conversations"];
const TweetParams = z.object({ id: idParam("id", "Tweet id") });

export const replies = createRoute({
  method: "get",
  path: "/tweets/{id}/replies",
  tags,
  summary: "A tweet's direct replies, oldest first",
  middleware: [optionalAuth] as const,
  request: { params: TweetParams, query: PageQuery },
  responses: { 200: pageOf(Tweet, "A page of replies"), ...problems(400, 401, 404) },
});

export const context = createRoute({
  method: "get",
  path: "/tweets/{id}/context",
  tags,
  summary: "A tweet's conversation: its ancestors and its descendants",
  middleware: [optionalAuth] as const,
  request: { params: TweetParams },
  responses: { 200: jsonContent(Context, "Ancestors and descendants"), ...problems(400, 401, 404) },
});
