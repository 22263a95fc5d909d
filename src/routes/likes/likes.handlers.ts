import { assertNotRevoked, callerOf } from "../../lib/auth";
import { useDb } from "../../lib/context";
import { DEFAULT_LIMIT, decodeCursor, paginate } from "../../lib/pagination";
import { forbidden, notFound } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/types";
import { type TweetRow, toTweet } from "../tweets/tweets.schemas";
import { toUser, type UserRow } from "../users/users.schemas";
import * as queries from "./likes.queries";
import type { LikedTweetsRoute, LikeRoute, LikingUsersRoute, UnlikeRoute } from "./likes.routes";

type Liked = { liked_at: Date | string };
const position = (r: { id: number } & Liked) => ({ at: new Date(r.liked_at), id: r.id });
const notSelf = () => forbidden("You can only like and unlike as yourself.");

export const likedTweets: AppRouteHandler<LikedTweetsRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
  const rows = await queries.listLikedTweets(useDb(c), c.get("caller"), id, decodeCursor(cursor, true), limit);
  assertNotRevoked(c, rows[0]?.caller_ok);
  if (!rows[0]?.found) throw notFound(`User ${id} does not exist.`);
  const page = rows.filter((r): r is typeof r & TweetRow & Liked => r.id != null);
  return c.json(paginate(c, page, limit, toTweet, position), 200);
};

export const likingUsers: AppRouteHandler<LikingUsersRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
  const rows = await queries.listLikingUsers(useDb(c), c.get("caller"), id, decodeCursor(cursor, true), limit);
  assertNotRevoked(c, rows[0]?.caller_ok);
  if (!rows[0]?.found) throw notFound(`Tweet ${id} does not exist.`);
  const page = rows.filter((r): r is typeof r & UserRow & Liked => r.id != null);
  return c.json(paginate(c, page, limit, toUser, position), 200);
};

export const like: AppRouteHandler<LikeRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { tweet_id } = c.req.valid("json");
  const caller = callerOf(c);
  const row = await queries.likeTweet(useDb(c), caller, id, tweet_id);
  assertNotRevoked(c, row?.caller_ok);
  if (id !== caller.id) throw notSelf();
  if (row?.id == null) throw notFound(`Tweet ${tweet_id} does not exist.`);
  return c.json(toTweet(row as TweetRow), row.inserted ? 201 : 200);
};

export const unlike: AppRouteHandler<UnlikeRoute> = async (c) => {
  const { id, tweet_id } = c.req.valid("param");
  const caller = callerOf(c);
  const row = await queries.unlikeTweet(useDb(c), caller, id, tweet_id);
  assertNotRevoked(c, row?.caller_ok);
  if (id !== caller.id) throw notSelf();
  if (!row?.found) throw notFound(`Tweet ${tweet_id} does not exist.`);
  return c.body(null, 204);
};
