import { z } from "@hono/zod-openapi";
import { User, Username } from "../../models/user";

export const LoginBody = z
  .object({
    // A username that could not exist is a bad request (400), refused before any limiter or hash.
    username: Username,
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
