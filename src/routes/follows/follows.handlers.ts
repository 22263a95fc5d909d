import { run, runList, runTransaction } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { badRequest, blockStands, forbidden } from "../../lib/problem";
import { asUser } from "../../middlewares/auth";
import { toUser, userFromRow, userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./follows.queries";
import * as routes from "./follows.routes";

const notSelf = () => forbidden("You can only follow and unfollow as yourself.");

const list =
  (direction: "followers" | "following"): AppRouteHandler<typeof routes.followers> =>
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

export const follow: AppRouteHandler<typeof routes.follow> = async (c) => {
  const { id } = c.req.valid("param");
  const { target_user_id } = c.req.valid("json");
  // Following yourself is a bad request, whoever asks.
  if (id === target_user_id)
    throw badRequest("You cannot follow yourself.", [{ path: "target_user_id", message: "must not be your own id" }]);
  const { caller, checks } = asUser(c, id, notSelf);
  const [, rows] = await runTransaction(
    c.var,
    queries.follow(caller, id, target_user_id, c.var.config.fanoutMaxFollowers),
    { ...checks, targetNotFound: userNotFound(target_user_id), blocked: blockStands },
  );
  const followed = rows?.[0];
  if (!followed || followed.id === null) throw userNotFound(target_user_id)();
  return c.json(toUser(userFromRow(followed)), followed.inserted === true ? 201 : 200);
};

export const unfollow: AppRouteHandler<typeof routes.unfollow> = async (c) => {
  const { id, target_user_id } = c.req.valid("param");
  const { caller, checks } = asUser(c, id, notSelf);
  await run(c.var, queries.unfollow(caller, id, target_user_id), {
    ...checks,
    targetNotFound: userNotFound(target_user_id),
  });
  return c.body(null, 204);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.followers, followers)
  .openapi(routes.following, following)
  .openapi(routes.follow, follow)
  .openapi(routes.unfollow, unfollow);
