import { z } from "@hono/zod-openapi";
import { idField } from "../../http/openapi";

export const NewBookmark = z.object({ tweet_id: idField("tweet_id", "The tweet to bookmark.") }).openapi("NewBookmark");
