import { items, one, run } from "../../db/run";
import { paginate, readPage } from "../../lib/pagination";
import { forbidden } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/types";
import { callerOf } from "../../middlewares/auth";
import { tweetNotFound } from "../tweets/tweets.handlers";
import { toTweet } from "../tweets/tweets.schemas";
import { userNotFound } from "../users/users.handlers";
import { toUser } from "../users/users.schemas";
import * as queries from "./likes.queries";
import type { LikedTweetsRoute, LikeRoute, LikingUsersRoute, UnlikeRoute } from "./likes.routes";

/** Lists of likes are ordered by the like's time, then the listed object's id. */
const byLike = (item: { likedAt: Date; id: number }) => ({ at: item.likedAt, id: item.id });
const notSelf = () => forbidden("You can only like and unlike as yourself.");

export const likedTweets: AppRouteHandler<LikedTweetsRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c.req.valid("query"));
  const tweets = await items(c, queries.likedTweets(c.var.caller, id, page), { notFound: userNotFound(id) });
  return c.json(paginate(c, tweets, page, byLike).map(toTweet), 200);
};

export const likingUsers: AppRouteHandler<LikingUsersRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c.req.valid("query"));
  const users = await items(c, queries.likingUsers(c.var.caller, id, page), { notFound: tweetNotFound(id) });
  return c.json(paginate(c, users, page, byLike).map(toUser), 200);
};

export const like: AppRouteHandler<LikeRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { tweet_id } = c.req.valid("json");
  const liked = await one(c, queries.like(callerOf(c), id, tweet_id), {
    forbidden: notSelf,
    notFound: tweetNotFound(tweet_id),
  });
  return c.json(toTweet(liked.item), liked.inserted ? 201 : 200);
};

export const unlike: AppRouteHandler<UnlikeRoute> = async (c) => {
  const { id, tweet_id } = c.req.valid("param");
  await run(c, queries.unlike(callerOf(c), id, tweet_id), { forbidden: notSelf, notFound: tweetNotFound(tweet_id) });
  return c.body(null, 204);
};
