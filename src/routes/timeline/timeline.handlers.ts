import { runPage } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { forbidden } from "../../lib/problem";
import { asUser } from "../../middlewares/auth";
import { NEWEST_ENTRIES, toTimelineTweet } from "../../models/tweet";
import { userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./timeline.queries";
import * as routes from "./timeline.routes";

export const timeline: AppRouteHandler<typeof routes.timeline> = async (c) => {
  const { id } = c.req.valid("param");
  const { caller, checks } = asUser(c, id, () => forbidden("You can only read your own home timeline."));
  const page = readPage(c, NEWEST_ENTRIES, c.req.valid("query"));
  const { items: tweets, scanned } = await runPage(c.var, queries.homeTimelinePage(caller, id, page), {
    notFound: userNotFound(id),
    ...checks,
  });
  return c.json(paginate(c, page, tweets, scanned).map(toTimelineTweet), 200);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter().openapi(routes.timeline, timeline);
