import { z } from "@hono/zod-openapi";
import { idField } from "../../http/openapi";

export const NewFollow = z
  .object({ target_user_id: idField("target_user_id", "The user to follow (not yourself).") })
  .openapi("NewFollow");
