import { items, one, run, transaction } from "../../db/run";
import { paginate, readPage } from "../../lib/pagination";
import { hashPassword } from "../../lib/password";
import { conflict, forbidden, notFound } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/types";
import { callerOf } from "../../middlewares/auth";
import * as queries from "./users.queries";
import type { ByUsernameRoute, CreateRoute, GetRoute, ListRoute, PatchRoute, RemoveRoute } from "./users.routes";
import { toUser } from "./users.schemas";

export const userNotFound = (id: number) => () => notFound(`User ${id} does not exist.`);
const usernameTaken = () => conflict("The username is taken.");

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const page = readPage(c.req.valid("query"), false);
  const users = await items(c, queries.listUsers(c.var.caller, page));
  return c.json(paginate(c, users, page, (u) => ({ id: u.id })).map(toUser), 200);
};

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const { username, password } = c.req.valid("json");
  const hash = await hashPassword(password, c.var.config.pbkdf2Iterations);
  const [user] = await run(c, queries.createUser(username, hash));
  if (!user) throw usernameTaken();
  c.header("Location", `/users/${user.id}`);
  return c.json(toUser(user), 201);
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { item } = await one(c, queries.userById(c.var.caller, id), { notFound: userNotFound(id) });
  return c.json(toUser(item), 200);
};

export const byUsername: AppRouteHandler<ByUsernameRoute> = async (c) => {
  const { username } = c.req.valid("param");
  const { item } = await one(c, queries.userByUsername(c.var.caller, username), {
    notFound: () => notFound(`No user is named ${username}.`),
  });
  return c.json(toUser(item), 200);
};

export const patch: AppRouteHandler<PatchRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { username, password } = c.req.valid("json");
  const passwordHash = password === undefined ? undefined : await hashPassword(password, c.var.config.pbkdf2Iterations);
  const { item } = await one(c, queries.updateUser(callerOf(c), id, { username, passwordHash }), {
    notFound: userNotFound(id),
    forbidden: () => forbidden("You can only change your own account."),
  });
  return c.json(toUser(item), 200);
};

export const remove: AppRouteHandler<RemoveRoute> = async (c) => {
  const { id } = c.req.valid("param");
  await transaction(c, queries.deleteUser(callerOf(c), id), {
    notFound: userNotFound(id),
    forbidden: () => forbidden("You can only delete your own account."),
  });
  return c.body(null, 204);
};
