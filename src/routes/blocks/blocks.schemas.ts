import { z } from "@hono/zod-openapi";
import { idField } from "../../http/openapi";

export const NewBlock = z
  .object({ target_user_id: idField("target_user_id", "The user to block (not yourself).") })
  .openapi("NewBlock");

export const NewMute = z
  .object({ target_user_id: idField("target_user_id", "The user to mute (not yourself).") })
  .openapi("NewMute");
