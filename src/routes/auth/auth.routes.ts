import { createRoute } from "@hono/zod-openapi";
import { jsonContent, jsonRequestBody, problems } from "../../http/openapi";
import { jsonBody } from "../../middlewares/json-body";
import { LoginBody, Token } from "./auth.schemas";

export const login = createRoute({
  method: "post",
  path: "/auth/login",
  tags: ["Auth"],
  summary: "Log in: exchange a username and password for a bearer token",
  middleware: [jsonBody] as const,
  request: { body: jsonRequestBody(LoginBody) },
  responses: { 200: jsonContent(Token, "An access token"), ...problems(400, 401, 413, 415, 429) },
});
