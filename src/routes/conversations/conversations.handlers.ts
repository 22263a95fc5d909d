import { runList, runPage } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { OLDEST_TWEETS, toTweet, tweetNotFound } from "../../models/tweet";
import type { AppRouteHandler } from "../../types";
import * as queries from "./conversations.queries";
import * as routes from "./conversations.routes";

export const replies: AppRouteHandler<typeof routes.replies> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c, OLDEST_TWEETS, c.req.valid("query"));
  const { items: tweets, scanned } = await runPage(c.var, queries.replies(c.var.caller, id, page), {
    notFound: tweetNotFound(id),
  });
  return c.json(paginate(c, page, tweets, scanned).map(toTweet), 200);
};

export const context: AppRouteHandler<typeof routes.context> = async (c) => {
  const { id } = c.req.valid("param");
  const tweets = await runList(c.var, queries.context(c.var.caller, id), { notFound: tweetNotFound(id) });
  return c.json(
    {
      ancestors: tweets.filter((t) => t.kind === "ancestor").map(toTweet),
      descendants: tweets.filter((t) => t.kind === "descendant").map(toTweet),
    },
    200,
  );
};

/** The resource's router: each route of the table with its handler. */
export default createRouter().openapi(routes.replies, replies).openapi(routes.context, context);
