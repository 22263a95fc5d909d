import { items } from "../../db/run";
import { byCreation, paginate, readPage } from "../../lib/pagination";
import type { AppRouteHandler } from "../../lib/types";
import { tweetNotFound } from "../tweets/tweets.handlers";
import { toTweet } from "../tweets/tweets.schemas";
import * as queries from "./conversations.queries";
import type { ContextRoute, RepliesRoute } from "./conversations.routes";

export const replies: AppRouteHandler<RepliesRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c.req.valid("query"));
  const tweets = await items(c, queries.replies(c.var.caller, id, page), { notFound: tweetNotFound(id) });
  return c.json(paginate(c, tweets, page, byCreation).map(toTweet), 200);
};

export const context: AppRouteHandler<ContextRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const tweets = await items(c, queries.context(c.var.caller, id), { notFound: tweetNotFound(id) });
  return c.json(
    {
      ancestors: tweets.filter((t) => t.kind === "ancestor").map(toTweet),
      descendants: tweets.filter((t) => t.kind === "descendant").map(toTweet),
    },
    200,
  );
};
