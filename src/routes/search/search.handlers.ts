import { runPage } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { NEWEST_TWEETS, toTweet } from "../../models/tweet";
import type { AppRouteHandler } from "../../types";
import { parseSearch } from "./search.parser";
import * as queries from "./search.queries";
import * as routes from "./search.routes";

export const search: AppRouteHandler<typeof routes.search> = async (c) => {
  const query = c.req.valid("query");
  const page = readPage(c, NEWEST_TWEETS, query);
  const { items: tweets, scanned } = await runPage(c.var, queries.search(c.var.caller, parseSearch(query.q), page));
  return c.json(paginate(c, page, tweets, scanned).map(toTweet), 200);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter().openapi(routes.search, search);
