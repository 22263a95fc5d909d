import { items } from "../../db/run";
import { byCreation, paginate, readPage } from "../../lib/pagination";
import type { AppRouteHandler } from "../../lib/types";
import { toTweet } from "../tweets/tweets.schemas";
import { parseSearch } from "./search.parser";
import * as queries from "./search.queries";
import type { SearchRoute } from "./search.routes";

export const search: AppRouteHandler<SearchRoute> = async (c) => {
  const query = c.req.valid("query");
  const page = readPage(query);
  const tweets = await items(c, queries.search(c.var.caller, parseSearch(query.q), page));
  return c.json(paginate(c, tweets, page, byCreation).map(toTweet), 200);
};
