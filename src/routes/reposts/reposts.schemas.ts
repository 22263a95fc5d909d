import { z } from "@hono/zod-openapi";
import { idField } from "../../http/openapi";

export const NewRepost = z.object({ tweet_id: idField("tweet_id", "The tweet to repost.") }).openapi("NewRepost");
