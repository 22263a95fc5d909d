import { run, runItem, runList } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { badRequest, forbidden } from "../../lib/problem";
import { callerOf } from "../../middlewares/auth";
import { toUser, userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./follows.queries";
import type { FollowersRoute, FollowRoute, UnfollowRoute } from "./follows.routes";

const notSelf = () => forbidden("You can only follow and unfollow as yourself.");

const list =
  (direction: "followers" | "following"): AppRouteHandler<FollowersRoute> =>
  async (c) => {
    const { id } = c.req.valid("param");
    const page = readPage(c, queries.RECENT_FOLLOWS, c.req.valid("query"));
    const users = await runList(c.var, queries.followList(c.var.caller, id, direction, page), {
      notFound: userNotFound(id),
    });
    return c.json(paginate(c, page, users).map(toUser), 200);
  };

export const followers = list("followers");
export const following = list("following");

export const follow: AppRouteHandler<FollowRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { target_user_id } = c.req.valid("json");
  // Following yourself is a bad request, whoever asks.
  if (id === target_user_id)
    throw badRequest("You cannot follow yourself.", [{ path: "target_user_id", message: "must not be your own id" }]);
  const caller = callerOf(c);
  const followed = await runItem(c.var, queries.follow(caller, id, target_user_id, c.var.config.fanoutMaxFollowers), {
    allowed: id === caller.id,
    forbidden: notSelf,
    targetNotFound: userNotFound(target_user_id),
  });
  return c.json(toUser(followed.item), followed.inserted ? 201 : 200);
};

export const unfollow: AppRouteHandler<UnfollowRoute> = async (c) => {
  const { id, target_user_id } = c.req.valid("param");
  const caller = callerOf(c);
  await run(c.var, queries.unfollow(caller, id, target_user_id), {
    allowed: id === caller.id,
    forbidden: notSelf,
    targetNotFound: userNotFound(target_user_id),
  });
  return c.body(null, 204);
};
