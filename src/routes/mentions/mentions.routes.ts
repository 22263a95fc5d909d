import { createRoute, z } from "@hono/zod-openapi";
import { idParam, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { optionalAuth } from "../../middlewares/auth";
import { Tweet } from "../../models/tweet";

export const mentions = createRoute({
  method: "get",
  path: "/users/{id}/mentions",
  tags: ["Notifications"],
  summary: "Tweets that mention a user (as @username), newest first",
  middleware: [optionalAuth] as const,
  request: { params: z.object({ id: idParam("id", "User id") }), query: PageQuery },
  responses: { 200: pageOf(Tweet, "A page of tweets"), ...problems(400, 401, 404) },
});
