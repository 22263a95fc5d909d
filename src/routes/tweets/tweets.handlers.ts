import { items, one, run } from "../../db/run";
import { enqueueFanout } from "../../fanout/fanout";
import { byCreation, paginate, readPage } from "../../lib/pagination";
import { forbidden, notFound, unprocessable } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/types";
import { callerOf } from "../../middlewares/auth";
import { userNotFound } from "../users/users.handlers";
import * as queries from "./tweets.queries";
import type { CreateRoute, GetRoute, ListRoute, RemoveRoute, UserTweetsRoute } from "./tweets.routes";
import { toTweet } from "./tweets.schemas";

export const tweetNotFound = (id: number) => () => notFound(`Tweet ${id} does not exist.`);

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const page = readPage(c.req.valid("query"));
  const tweets = await items(c, queries.listTweets(c.var.caller, page));
  return c.json(paginate(c, tweets, page, byCreation).map(toTweet), 200);
};

export const userTweets: AppRouteHandler<UserTweetsRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c.req.valid("query"));
  const tweets = await items(c, queries.userTweets(c.var.caller, id, page), { notFound: userNotFound(id) });
  return c.json(paginate(c, tweets, page, byCreation).map(toTweet), 200);
};

/**
 * What a POST /tweets asks for, as a SHA-256 (hex): the fields that decide the tweet (content as
 * stored, the replied-to tweet), so that a retry matches however its JSON is spelled. `user_id` is
 * left out: given, it can only be the caller's own (else 403).
 */
async function requestHashOf(content: string, inReplyTo: number | undefined): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify([content, inReplyTo ?? null]));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const { content, user_id, in_reply_to_tweet_id } = c.req.valid("json");
  const caller = callerOf(c);
  const idempotencyKey = c.req.valid("header")["idempotency-key"];
  const [row] = await run(
    c,
    queries.createTweet(caller, {
      content,
      idempotencyKey,
      requestHash: idempotencyKey === undefined ? undefined : await requestHashOf(content, in_reply_to_tweet_id),
      allowed: user_id === undefined || user_id === caller.id,
      inReplyTo: in_reply_to_tweet_id,
    }),
    { forbidden: () => forbidden("You can only tweet as yourself.") },
  );
  if (row?.keyReused)
    throw unprocessable(
      "This Idempotency-Key was used before with a different request; nothing was created. Use a new key for a new tweet.",
    );
  if (!row?.item) throw tweetNotFound(in_reply_to_tweet_id ?? 0)();
  const created = { ...row, item: row.item };
  if (created.fanout) enqueueFanout(c, created.item.id);
  c.header("Location", `/tweets/${created.item.id}`);
  return c.json(toTweet(created.item), 201);
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { item } = await one(c, queries.tweetById(c.var.caller, id), { notFound: tweetNotFound(id) });
  return c.json(toTweet(item), 200);
};

export const remove: AppRouteHandler<RemoveRoute> = async (c) => {
  const { id } = c.req.valid("param");
  await run(c, queries.deleteTweet(callerOf(c), id), {
    notFound: tweetNotFound(id),
    forbidden: () => forbidden("You can only delete your own tweets."),
  });
  return c.body(null, 204);
};
