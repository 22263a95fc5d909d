import { run, runItem, runList } from "../../db/run";
import { enqueueFanout } from "../../fanout/fanout";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { blockStands, forbidden } from "../../lib/problem";
import { asUser } from "../../middlewares/auth";
import { toTweet, tweetNotFound } from "../../models/tweet";
import { toUser } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./reposts.queries";
import * as routes from "./reposts.routes";

const notSelf = () => forbidden("You can only repost and undo reposts as yourself.");

export const repostedBy: AppRouteHandler<typeof routes.repostedBy> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c, queries.RECENT_REPOSTS, c.req.valid("query"));
  const users = await runList(c.var, queries.repostedBy(c.var.caller, id, page), { notFound: tweetNotFound(id) });
  return c.json(paginate(c, page, users).map(toUser), 200);
};

export const repost: AppRouteHandler<typeof routes.repost> = async (c) => {
  const { id } = c.req.valid("param");
  const { tweet_id } = c.req.valid("json");
  const { caller, checks } = asUser(c, id, notSelf);
  const reposted = await runItem(c.var, queries.repost(caller, id, tweet_id), {
    ...checks,
    targetNotFound: tweetNotFound(tweet_id),
    blocked: blockStands,
  });
  // The followers' timelines get it off the request path (the reposter's own has it already).
  if (reposted.fanout)
    enqueueFanout(c.env.FANOUT_QUEUE, (p) => c.executionCtx.waitUntil(p), tweet_id, c.var.requestId, caller.id);
  return c.json(toTweet(reposted.item), reposted.inserted ? 201 : 200);
};

export const unrepost: AppRouteHandler<typeof routes.unrepost> = async (c) => {
  const { id, tweet_id } = c.req.valid("param");
  const { caller, checks } = asUser(c, id, notSelf);
  await run(c.var, queries.unrepost(caller, id, tweet_id), { ...checks, targetNotFound: tweetNotFound(tweet_id) });
  return c.body(null, 204);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.repostedBy, repostedBy)
  .openapi(routes.repost, repost)
  .openapi(routes.unrepost, unrepost);
