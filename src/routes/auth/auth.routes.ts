import { createRoute, z } from "@hono/zod-openapi";
import { jsonBody, jsonContent, jsonRequestBody, problems } from "../../lib/openapi";
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

export const login = createRoute({
  method: "post",
  path: "/auth/login",
  tags: ["Auth"],
  summary: "Log in: exchange a username and password for a bearer token",
  middleware: [jsonBody] as const,
  request: { body: jsonRequestBody(LoginBody) },
  responses: { 200: jsonContent(Token, "An access token"), ...problems(400, 401, 413, 415, 429) },
});

export type LoginRoute = typeof login;
