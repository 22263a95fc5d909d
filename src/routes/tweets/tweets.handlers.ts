import { assertNotRevoked, callerOf } from "../../lib/auth";
import { useDb } from "../../lib/context";
import { DEFAULT_LIMIT, decodeCursor, paginate } from "../../lib/pagination";
import { forbidden, notFound } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/types";
import * as queries from "./tweets.queries";
import type { CreateRoute, GetRoute, ListRoute, RemoveRoute } from "./tweets.routes";
import { type TweetRow, toTweet } from "./tweets.schemas";

const tweetNotFound = (id: number) => notFound(`Tweet ${id} does not exist.`);

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
  const rows = await queries.listTweets(useDb(c), c.get("caller"), decodeCursor(cursor, true), limit);
  assertNotRevoked(c, rows[0]?.caller_ok);
  const page = rows.filter((r): r is typeof r & TweetRow => r.id != null);
  return c.json(
    paginate(c, page, limit, toTweet, (t) => ({ at: new Date(t.created_at), id: t.id })),
    200,
  );
};

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const { content, user_id } = c.req.valid("json");
  const idempotencyKey = c.req.valid("header")["idempotency-key"];
  const caller = callerOf(c);
  const allowed = user_id === undefined || user_id === caller.id;
  const row = await queries.createTweet(useDb(c), caller, { content, idempotencyKey, allowed });
  assertNotRevoked(c, row?.caller_ok);
  if (row?.id == null) throw forbidden("You can only tweet as yourself.");
  c.header("Location", `/tweets/${row.id}`);
  return c.json(toTweet(row as TweetRow), 201);
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const row = await queries.findTweet(useDb(c), c.get("caller"), id);
  assertNotRevoked(c, row?.caller_ok);
  if (row?.id == null) throw tweetNotFound(id);
  return c.json(toTweet(row as TweetRow), 200);
};

export const remove: AppRouteHandler<RemoveRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const row = await queries.deleteTweet(useDb(c), callerOf(c), id);
  assertNotRevoked(c, row?.caller_ok);
  if (!row?.found) throw tweetNotFound(id);
  if (!row.deleted) throw forbidden("You can only delete your own tweets.");
  return c.body(null, 204);
};
