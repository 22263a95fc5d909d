import { runPage } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { RECENT_MENTIONS, toTweet } from "../../models/tweet";
import { userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./mentions.queries";
import * as routes from "./mentions.routes";

export const mentions: AppRouteHandler<typeof routes.mentions> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c, RECENT_MENTIONS, c.req.valid("query"));
  const { items: tweets, scanned } = await runPage(c.var, queries.mentionsOf(c.var.caller, id, page), {
    notFound: userNotFound(id),
  });
  return c.json(paginate(c, page, tweets, scanned).map(toTweet), 200);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter().openapi(routes.mentions, mentions);
