import { items } from "../../db/run";
import { byCreation, paginate, readPage } from "../../lib/pagination";
import { forbidden } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/types";
import { callerOf } from "../../middlewares/auth";
import { toTweet } from "../tweets/tweets.schemas";
import { userNotFound } from "../users/users.handlers";
import * as queries from "./timeline.queries";
import type { TimelineRoute } from "./timeline.routes";

export const timeline: AppRouteHandler<TimelineRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c.req.valid("query"));
  const tweets = await items(c, queries.homeTimelinePage(callerOf(c), id, page), {
    notFound: userNotFound(id),
    forbidden: () => forbidden("You can only read your own home timeline."),
  });
  return c.json(paginate(c, tweets, page, byCreation).map(toTweet), 200);
};
