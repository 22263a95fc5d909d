import { z } from "@hono/zod-openapi";
import { User } from "../users/users.schemas";

export const LoginBody = z
  .object({
    // Any string: a login with a username that could not exist is just a wrong login (401).
    username: z.string().min(1).max(128),
    password: z.string().min(1).max(1024),
  })
  .openapi("LoginBody");

export const Token = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ description: "Seconds until the token expires." }),
    user: User,
  })
  .openapi("Token");
