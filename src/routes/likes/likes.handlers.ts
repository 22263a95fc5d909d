import { run, runItem, runList, runPage } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { blockStands, forbidden } from "../../lib/problem";
import { asUser } from "../../middlewares/auth";
import { toTweet, tweetNotFound } from "../../models/tweet";
import { toUser, userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./likes.queries";
import * as routes from "./likes.routes";

const notSelf = () => forbidden("You can only like and unlike as yourself.");

export const likedTweets: AppRouteHandler<typeof routes.likedTweets> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c, queries.RECENT_LIKES, c.req.valid("query"));
  const { items: tweets, scanned } = await runPage(c.var, queries.likedTweets(c.var.caller, id, page), {
    notFound: userNotFound(id),
  });
  return c.json(paginate(c, page, tweets, scanned).map(toTweet), 200);
};

export const likingUsers: AppRouteHandler<typeof routes.likingUsers> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c, queries.RECENT_LIKES, c.req.valid("query"));
  const users = await runList(c.var, queries.likingUsers(c.var.caller, id, page), { notFound: tweetNotFound(id) });
  return c.json(paginate(c, page, users).map(toUser), 200);
};

export const like: AppRouteHandler<typeof routes.like> = async (c) => {
  const { id } = c.req.valid("param");
  const { tweet_id } = c.req.valid("json");
  const { caller, checks } = asUser(c, id, notSelf);
  const liked = await runItem(c.var, queries.like(caller, id, tweet_id), {
    ...checks,
    targetNotFound: tweetNotFound(tweet_id),
    blocked: blockStands,
  });
  return c.json(toTweet(liked.item), liked.inserted ? 201 : 200);
};

export const unlike: AppRouteHandler<typeof routes.unlike> = async (c) => {
  const { id, tweet_id } = c.req.valid("param");
  const { caller, checks } = asUser(c, id, notSelf);
  await run(c.var, queries.unlike(caller, id, tweet_id), { ...checks, targetNotFound: tweetNotFound(tweet_id) });
  return c.body(null, 204);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.likedTweets, likedTweets)
  .openapi(routes.likingUsers, likingUsers)
  .openapi(routes.like, like)
  .openapi(routes.unlike, unlike);
