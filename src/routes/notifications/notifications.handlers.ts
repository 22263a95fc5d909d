import { run, runPage } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { forbidden } from "../../lib/problem";
import { asUser } from "../../middlewares/auth";
import { NEWEST_NOTIFICATIONS, toNotification } from "../../models/notification";
import { userNotFound } from "../../models/user";
import type { AppContext, AppRouteHandler } from "../../types";
import * as queries from "./notifications.queries";
import * as routes from "./notifications.routes";

const own = (c: AppContext, id: number) => {
  const { caller, checks } = asUser(c, id, () => forbidden("You can only read and mark your own notifications."));
  return { caller, checks: { ...checks, notFound: userNotFound(id) } };
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { id } = c.req.valid("param");
  const { types, ...query } = c.req.valid("query");
  const { caller, checks } = own(c, id);
  const page = readPage(c, NEWEST_NOTIFICATIONS, query);
  const { rows, scanned } = await runPage(c.var, queries.listNotifications(caller, id, types, page), checks);
  // An empty page is one row of flags alone; a notification's tweet is null for a follow.
  const notifications = rows.flatMap(({ item, actor, tweet }) =>
    item && actor ? [{ ...item, actor, tweet: tweet?.id ? tweet : null }] : [],
  );
  return c.json(paginate(c, page, notifications, scanned).map(toNotification), 200);
};

export const unreadCount: AppRouteHandler<typeof routes.unreadCount> = async (c) => {
  const { id } = c.req.valid("param");
  const { caller, checks } = own(c, id);
  const [row] = await run(c.var, queries.unreadCount(caller, id), checks);
  return c.json({ count: row?.count ?? 0 }, 200);
};

export const getMarker: AppRouteHandler<typeof routes.getMarker> = async (c) => {
  const { id } = c.req.valid("param");
  const { caller, checks } = own(c, id);
  const [row] = await run(c.var, queries.getMarker(caller, id), checks);
  return c.json({ last_read_id: row?.lastReadId ?? null }, 200);
};

export const putMarker: AppRouteHandler<typeof routes.putMarker> = async (c) => {
  const { id } = c.req.valid("param");
  const { last_read_id } = c.req.valid("json");
  const { caller, checks } = own(c, id);
  const [row] = await run(c.var, queries.putMarker(caller, id, last_read_id), checks);
  return c.json({ last_read_id: row?.lastReadId ?? null }, 200);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.list, list)
  .openapi(routes.unreadCount, unreadCount)
  .openapi(routes.getMarker, getMarker)
  .openapi(routes.putMarker, putMarker);
