import { run, runItem, runPage } from "../../db/run";
import { paginate, readPage } from "../../http/page";
import { createRouter } from "../../http/router";
import { forbidden } from "../../lib/problem";
import { asUser } from "../../middlewares/auth";
import { RECENT_BOOKMARKS, toTweet, tweetNotFound } from "../../models/tweet";
import { userNotFound } from "../../models/user";
import type { AppRouteHandler } from "../../types";
import * as queries from "./bookmarks.queries";
import * as routes from "./bookmarks.routes";

const notSelf = () => forbidden("Bookmarks are private: you can only see and change your own.");

export const bookmarks: AppRouteHandler<typeof routes.bookmarks> = async (c) => {
  const { id } = c.req.valid("param");
  const { caller, checks } = asUser(c, id, notSelf);
  const page = readPage(c, RECENT_BOOKMARKS, c.req.valid("query"));
  const { items, scanned } = await runPage(c.var, queries.bookmarkList(caller, id, page), {
    notFound: userNotFound(id),
    ...checks,
  });
  return c.json(paginate(c, page, items, scanned).map(toTweet), 200);
};

export const bookmark: AppRouteHandler<typeof routes.bookmark> = async (c) => {
  const { id } = c.req.valid("param");
  const { tweet_id } = c.req.valid("json");
  const { caller, checks } = asUser(c, id, notSelf);
  const saved = await runItem(c.var, queries.bookmark(caller, id, tweet_id), {
    ...checks,
    targetNotFound: tweetNotFound(tweet_id),
  });
  return c.json(toTweet(saved.item), saved.inserted ? 201 : 200);
};

export const unbookmark: AppRouteHandler<typeof routes.unbookmark> = async (c) => {
  const { id, tweet_id } = c.req.valid("param");
  const { caller, checks } = asUser(c, id, notSelf);
  await run(c.var, queries.unbookmark(caller, id, tweet_id), { ...checks, targetNotFound: tweetNotFound(tweet_id) });
  return c.body(null, 204);
};

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.bookmarks, bookmarks)
  .openapi(routes.bookmark, bookmark)
  .openapi(routes.unbookmark, unbookmark);
