import { run, runItem, runPage } from "../../db/run";
import { enqueueFanout } from "../../fanout/fanout";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { mentionedNames } from "../../lib/mentions";
import { blockStands, forbidden, unprocessable } from "../../lib/problem";
import { callerOf } from "../../middlewares/auth";
import { NEWEST_TWEETS, toTweet, tweetNotFound } from "../../models/tweet";
import { userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./tweets.queries";
import * as routes from "./tweets.routes";

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const page = readPage(c, NEWEST_TWEETS, c.req.valid("query"));
  const { items: tweets, scanned } = await runPage(c.var, queries.listTweets(c.var.caller, page));
  return c.json(paginate(c, page, tweets, scanned).map(toTweet), 200);
};

export const userTweets: AppRouteHandler<typeof routes.userTweets> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c, NEWEST_TWEETS, c.req.valid("query"));
  const { items: tweets, scanned } = await runPage(c.var, queries.userTweets(c.var.caller, id, page), {
    notFound: userNotFound(id),
  });
  return c.json(paginate(c, page, tweets, scanned).map(toTweet), 200);
};

/**
 * What a POST /tweets asks for, as a SHA-256 (hex): the fields that decide the tweet (content as
 * stored, the replied-to and the quoted tweet), so that a retry matches however its JSON is spelled.
 * `user_id` is left out: given, it can only be the caller's own (else 403). Without a quote the
 * hash is what it was before quotes existed, so older keys still match their retries.
 */
async function requestHashOf(content: string, inReplyTo: number | undefined, quoted: number | undefined) {
  const fields = quoted === undefined ? [content, inReplyTo ?? null] : [content, inReplyTo ?? null, quoted];
  const bytes = new TextEncoder().encode(JSON.stringify(fields));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { content, user_id, in_reply_to_tweet_id, quoted_tweet_id } = c.req.valid("json");
  const caller = callerOf(c);
  const allowed = user_id === undefined || user_id === caller.id;
  const idempotencyKey = c.req.valid("header")["idempotency-key"];
  const requestHash =
    idempotencyKey === undefined ? undefined : await requestHashOf(content, in_reply_to_tweet_id, quoted_tweet_id);
  const input = {
    content,
    idempotencyKey,
    requestHash,
    allowed,
    inReplyTo: in_reply_to_tweet_id,
    quoted: quoted_tweet_id,
    mentions: mentionedNames(content),
  };
  // 401, 403, then the key reused with another body (422, even for a reply to a missing tweet), then
  // 404 (the replied-to, then the quoted tweet), then 403 for a block with either's author.
  const [row] = await run(c.var, queries.createTweet(caller, input), {
    allowed,
    forbidden: () => forbidden("You can only tweet as yourself."),
  });
  if (row?.keyReused)
    throw unprocessable(
      "This Idempotency-Key was used before with a different request; nothing was created. Use a new key for a new tweet.",
    );
  if (row?.targetFound === false) throw tweetNotFound(in_reply_to_tweet_id ?? 0)();
  if (row?.quotedFound === false) throw tweetNotFound(quoted_tweet_id ?? 0)();
  if (row?.blocked) throw blockStands();
  if (!row?.item) throw tweetNotFound(in_reply_to_tweet_id ?? quoted_tweet_id ?? 0)();
  const created = { ...row, item: row.item };
  if (created.fanout)
    enqueueFanout(c.env.FANOUT_QUEUE, (p) => c.executionCtx.waitUntil(p), created.item.id, c.var.requestId);
  c.header("Location", `/tweets/${created.item.id}`);
  return c.json(toTweet(created.item), 201);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { id } = c.req.valid("param");
  const { item } = await runItem(c.var, queries.tweetById(c.var.caller, id), { notFound: tweetNotFound(id) });
  return c.json(toTweet(item), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { id } = c.req.valid("param");
  await run(c.var, queries.deleteTweet(callerOf(c), id), {
    notFound: tweetNotFound(id),
    forbidden: () => forbidden("You can only delete your own tweets."),
  });
  return c.body(null, 204);
};

export const quotes: AppRouteHandler<typeof routes.quotes> = async (c) => {
  const { id } = c.req.valid("param");
  const page = readPage(c, NEWEST_TWEETS, c.req.valid("query"));
  const { items: tweets, scanned } = await runPage(c.var, queries.quotes(c.var.caller, id, page), {
    notFound: tweetNotFound(id),
  });
  return c.json(paginate(c, page, tweets, scanned).map(toTweet), 200);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.list, list)
  .openapi(routes.create, create)
  .openapi(routes.get, get)
  .openapi(routes.remove, remove)
  .openapi(routes.userTweets, userTweets)
  .openapi(routes.quotes, quotes);
