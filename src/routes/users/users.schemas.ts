import { z } from "@hono/zod-openapi";
import { Password, Username } from "../../models/user";

export const Credentials = z.object({ username: Username, password: Password }).openapi("Credentials");

export const UserUpdate = z
  .object({ username: Username.optional(), password: Password.optional() })
  .refine((b) => b.username !== undefined || b.password !== undefined, {
    message: "give username, password or both",
  })
  .openapi("UserUpdate");
