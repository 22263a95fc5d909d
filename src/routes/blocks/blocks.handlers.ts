import { run, runItem, runList, runTransaction } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { badRequest, forbidden } from "../../lib/problem";
import { asUser } from "../../middlewares/auth";
import { RECENT_RELATIONS, toUser, userFromRow, userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./blocks.queries";
import * as routes from "./blocks.routes";

const notSelf = () => forbidden("Blocks and mutes are private: you can only see and change your own.");

/** Blocking or muting yourself is a bad request, whoever asks. */
const notYourself = (relation: queries.Relation, id: number, target: number) => {
  if (id === target)
    throw badRequest(`You cannot ${relation === "blocking" ? "block" : "mute"} yourself.`, [
      { path: "target_user_id", message: "must not be your own id" },
    ]);
};

const list =
  (relation: queries.Relation): AppRouteHandler<typeof routes.blocking> =>
  async (c) => {
    const { id } = c.req.valid("param");
    const { caller, checks } = asUser(c, id, notSelf);
    const page = readPage(c, RECENT_RELATIONS, c.req.valid("query"));
    const users = await runList(c.var, queries.relationList(caller, id, relation, page), {
      notFound: userNotFound(id),
      ...checks,
    });
    return c.json(paginate(c, page, users).map(toUser), 200);
  };

export const blocking = list("blocking");
export const muting = list("muting");

export const block: AppRouteHandler<typeof routes.block> = async (c) => {
  const { id } = c.req.valid("param");
  const { target_user_id } = c.req.valid("json");
  notYourself("blocking", id, target_user_id);
  const { caller, checks } = asUser(c, id, notSelf);
  const [, rows] = await runTransaction(c.var, queries.block(caller, id, target_user_id), {
    ...checks,
    targetNotFound: userNotFound(target_user_id),
  });
  const blocked = rows?.[0];
  if (!blocked || blocked.id === null) throw userNotFound(target_user_id)();
  return c.json(toUser(userFromRow(blocked)), blocked.inserted === true ? 201 : 200);
};

export const mute: AppRouteHandler<typeof routes.mute> = async (c) => {
  const { id } = c.req.valid("param");
  const { target_user_id } = c.req.valid("json");
  notYourself("muting", id, target_user_id);
  const { caller, checks } = asUser(c, id, notSelf);
  const muted = await runItem(c.var, queries.mute(caller, id, target_user_id), {
    ...checks,
    targetNotFound: userNotFound(target_user_id),
  });
  return c.json(toUser(muted.item), muted.inserted ? 201 : 200);
};

const undo =
  (relation: queries.Relation): AppRouteHandler<typeof routes.unblock> =>
  async (c) => {
    const { id, target_user_id } = c.req.valid("param");
    const { caller, checks } = asUser(c, id, notSelf);
    await run(c.var, queries.undo(caller, id, relation, target_user_id), {
      ...checks,
      targetNotFound: userNotFound(target_user_id),
    });
    return c.body(null, 204);
  };

export const unblock = undo("blocking");
export const unmute = undo("muting");

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.blocking, blocking)
  .openapi(routes.muting, muting)
  .openapi(routes.block, block)
  .openapi(routes.mute, mute)
  .openapi(routes.unblock, unblock)
  .openapi(routes.unmute, unmute);
