import { z } from "@hono/zod-openapi";
import { isWellFormed } from "../../lib/text";
import { User, Username } from "../../models/user";

export const LoginBody = z
  .object({
    // A username that could not exist is a bad request (400), refused before any limiter or hash.
    username: Username,
    // Not normalised here: a hash stored before passwords were normalised is of the form as sent
    // (verifyPassword tries NFC, then that form). A lone surrogate is not a password (400).
    password: z.string().min(1).max(1024).refine(isWellFormed, "password must be valid Unicode (no lone surrogates)"),
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
