import { run, runItem, runList, runTransaction } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { hashPassword } from "../../lib/password";
import { conflict, forbidden, notFound } from "../../lib/problem";
import { asUser } from "../../middlewares/auth";
import { toUser, USERS_BY_ID, userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./users.queries";
import * as routes from "./users.routes";

const usernameTaken = () => conflict("The username is taken.");

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const page = readPage(c, USERS_BY_ID, c.req.valid("query"));
  const users = await runList(c.var, queries.listUsers(c.var.caller, page));
  return c.json(paginate(c, page, users).map(toUser), 200);
};

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { username, password } = c.req.valid("json");
  const hash = await hashPassword(password, c.var.config.pbkdf2Iterations);
  const [user] = await run(c.var, queries.createUser(username, hash));
  if (!user) throw usernameTaken();
  c.header("Location", `/users/${user.id}`);
  return c.json(toUser(user), 201);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { id } = c.req.valid("param");
  const { item } = await runItem(c.var, queries.userById(c.var.caller, id), { notFound: userNotFound(id) });
  return c.json(toUser(item), 200);
};

export const byUsername: AppRouteHandler<typeof routes.byUsername> = async (c) => {
  const { username } = c.req.valid("param");
  const { item } = await runItem(c.var, queries.userByUsername(c.var.caller, username), {
    notFound: () => notFound(`No user is named ${username}.`),
  });
  return c.json(toUser(item), 200);
};

export const patch: AppRouteHandler<typeof routes.patch> = async (c) => {
  const { id } = c.req.valid("param");
  const { username, password } = c.req.valid("json");
  const { caller, checks } = asUser(c, id, () => forbidden("You can only change your own account."));
  const passwordHash = password === undefined ? undefined : await hashPassword(password, c.var.config.pbkdf2Iterations);
  const { item } = await runItem(c.var, queries.updateUser(caller, id, { username, passwordHash }), {
    notFound: userNotFound(id),
    ...checks,
  });
  return c.json(toUser(item), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { id } = c.req.valid("param");
  const { caller, checks } = asUser(c, id, () => forbidden("You can only delete your own account."));
  await runTransaction(c.var, queries.deleteUser(caller, id), { notFound: userNotFound(id), ...checks });
  return c.body(null, 204);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.list, list)
  .openapi(routes.create, create)
  .openapi(routes.byUsername, byUsername)
  .openapi(routes.get, get)
  .openapi(routes.patch, patch)
  .openapi(routes.put, patch)
  .openapi(routes.remove, remove);
