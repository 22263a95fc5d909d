import { assertNotRevoked, callerOf } from "../../lib/auth";
import { useDb } from "../../lib/context";
import { DEFAULT_LIMIT, decodeCursor, paginate } from "../../lib/pagination";
import { hashPassword } from "../../lib/password";
import { forbidden, notFound } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/types";
import { listUserTweets } from "../tweets/tweets.queries";
import { type TweetRow, toTweet } from "../tweets/tweets.schemas";
import * as queries from "./users.queries";
import type { CreateRoute, GetRoute, ListRoute, PatchRoute, RemoveRoute, TweetsRoute } from "./users.routes";
import { toUser, type UserRow } from "./users.schemas";

const userNotFound = (id: number) => notFound(`User ${id} does not exist.`);

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
  const rows = await queries.listUsers(useDb(c), c.get("caller"), decodeCursor(cursor, false), limit);
  assertNotRevoked(c, rows[0]?.caller_ok);
  const users = rows.filter((r): r is typeof r & UserRow => r.id != null);
  return c.json(
    paginate(c, users, limit, toUser, (u) => ({ id: u.id })),
    200,
  );
};

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const { username, password } = c.req.valid("json");
  const hash = await hashPassword(password, c.get("config").pbkdf2Iterations);
  const row = await queries.createUser(useDb(c), username, hash);
  if (!row) throw queries.usernameTaken();
  c.header("Location", `/users/${row.id}`);
  return c.json(toUser(row), 201);
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const row = await queries.findUser(useDb(c), c.get("caller"), id);
  assertNotRevoked(c, row?.caller_ok);
  if (row?.id == null) throw userNotFound(id);
  return c.json(toUser(row as UserRow), 200);
};

export const patch: AppRouteHandler<PatchRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { username, password } = c.req.valid("json");
  const caller = callerOf(c);
  const passwordHash =
    password === undefined ? undefined : await hashPassword(password, c.get("config").pbkdf2Iterations);
  const row = await queries.updateUser(useDb(c), caller, id, { username, passwordHash });
  assertNotRevoked(c, row?.caller_ok);
  if (!row?.found) throw userNotFound(id);
  if (row.id == null) throw forbidden("You can only change your own account.");
  return c.json(toUser(row as UserRow), 200);
};

export const remove: AppRouteHandler<RemoveRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const row = await queries.deleteUser(useDb(c), callerOf(c), id);
  assertNotRevoked(c, row?.caller_ok);
  if (!row?.found) throw userNotFound(id);
  if (!row.deleted) throw forbidden("You can only delete your own account.");
  return c.body(null, 204);
};

export const tweets: AppRouteHandler<TweetsRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
  const rows = await listUserTweets(useDb(c), c.get("caller"), id, decodeCursor(cursor, true), limit);
  assertNotRevoked(c, rows[0]?.caller_ok);
  if (!rows[0]?.found) throw userNotFound(id);
  const page = rows.filter((r): r is typeof r & TweetRow => r.id != null);
  return c.json(
    paginate(c, page, limit, toTweet, (t) => ({ at: new Date(t.created_at), id: t.id })),
    200,
  );
};
