import { runList } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { NEWEST_TWEETS, toTweet } from "../../models/tweet";
import { userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./mentions.queries";
import * as routes from "./mentions.routes";

export const mentions: AppRouteHandler<typeof routes.mentions> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c, NEWEST_TWEETS, c.req.valid("query"));
  const tweets = await runList(c.var, queries.mentionsOf(c.var.caller, id, page), { notFound: userNotFound(id) });
  return c.json(paginate(c, page, tweets).map(toTweet), 200);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter().openapi(routes.mentions, mentions);
