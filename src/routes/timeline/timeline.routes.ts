import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { requireAuth } from "../../middlewares/auth";
import { TimelineTweet } from "../../models/tweet";

export const timeline = createRoute({
  method: "get",
  path: "/users/{id}/timeline",
  tags: ["Timeline"],
  summary: "Your home timeline: your tweets and reposts and those of everyone you follow, newest first",
  description:
    "Read-your-writes for your own tweets, follows, unfollows and deletions; a followed user's new tweet " +
    "appears within seconds. A repost is an entry at the repost's time, with `reposted_by`; a tweet appears " +
    "once, at its first entry. At least the newest 800 entries are reachable by paging.",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: idParam("id", "Your user id") }), query: PageQuery },
  responses: {
    200: pageOf(TimelineTweet, "A page of entries: tweets, each with reposted_by"),
    ...problems(400, 401, 403, 404, 429),
  },
});
