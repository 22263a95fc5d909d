import { items, one, run } from "../../db/run";
import { paginate, readPage } from "../../lib/pagination";
import { badRequest, forbidden, notFound } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/types";
import { callerOf } from "../../middlewares/auth";
import type { AppContext } from "../../middlewares/context";
import { userNotFound } from "../users/users.handlers";
import { toUser } from "../users/users.schemas";
import * as queries from "./follows.queries";
import type { FollowersRoute, FollowRoute, UnfollowRoute } from "./follows.routes";

const byFollow = (item: { followedAt: Date; id: number }) => ({ at: item.followedAt, id: item.id });
const notSelf = () => forbidden("You can only follow and unfollow as yourself.");
const targetNotFound = (id: number) => () => notFound(`User ${id} does not exist.`);

const list =
  (direction: "followers" | "following"): AppRouteHandler<FollowersRoute> =>
  async (c) => {
    const { id } = c.req.valid("param");
    const page = readPage(c.req.valid("query"));
    const users = await items(c, queries.followList(c.var.caller, id, direction, page), {
      notFound: userNotFound(id),
    });
    return c.json(paginate(c, users, page, byFollow).map(toUser), 200);
  };

export const followers = list("followers");
export const following = list("following");

/** Following yourself is a bad request, whoever asks. */
const notYourself = (c: AppContext, id: number, target: number) => {
  if (id === target)
    throw badRequest("You cannot follow yourself.", [{ path: "target_user_id", message: "must not be your own id" }]);
  return callerOf(c);
};

export const follow: AppRouteHandler<FollowRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { target_user_id } = c.req.valid("json");
  const caller = notYourself(c, id, target_user_id);
  const followed = await one(c, queries.follow(caller, id, target_user_id, c.var.config.fanoutMaxFollowers), {
    forbidden: notSelf,
    notFound: targetNotFound(target_user_id),
  });
  return c.json(toUser(followed.item), followed.inserted ? 201 : 200);
};

export const unfollow: AppRouteHandler<UnfollowRoute> = async (c) => {
  const { id, target_user_id } = c.req.valid("param");
  await run(c, queries.unfollow(callerOf(c), id, target_user_id), {
    forbidden: notSelf,
    notFound: targetNotFound(target_user_id),
  });
  return c.body(null, 204);
};
