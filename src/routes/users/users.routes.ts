import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, jsonContent, jsonRequestBody, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { optionalAuth, requireAuth } from "../../middlewares/auth";
import { jsonBody } from "../../middlewares/json-body";
import { signupLimit } from "../../middlewares/rate-limit";
import { User, Username } from "../../models/user";
import { Credentials, UserUpdate } from "./users.schemas";

const tags = ["Users"];
const UserParams = z.object({ id: idParam("id", "User id") });

export const list = createRoute({
  method: "get",
  path: "/users",
  tags,
  summary: "List users, id ascending",
  middleware: [optionalAuth] as const,
  request: { query: PageQuery },
  responses: { 200: pageOf(User, "A page of users"), ...problems(400, 401) },
});

export const create = createRoute({
  method: "post",
  path: "/users",
  tags,
  summary: "Sign up",
  middleware: [signupLimit, jsonBody] as const,
  request: { body: jsonRequestBody(Credentials) },
  responses: {
    201: {
      ...jsonContent(User, "The new user"),
      headers: { Location: { description: "/users/{id}", schema: { type: "string" as const } } },
    },
    ...problems(400, 409, 413, 415, 429),
  },
});

export const get = createRoute({
  method: "get",
  path: "/users/{id}",
  tags,
  summary: "Get a user",
  middleware: [optionalAuth] as const,
  request: { params: UserParams },
  responses: { 200: jsonContent(User, "The user"), ...problems(400, 401, 404) },
});

export const byUsername = createRoute({
  method: "get",
  path: "/users/by/username/{username}",
  tags,
  summary: "Get a user by username (case-insensitive)",
  middleware: [optionalAuth] as const,
  request: { params: z.object({ username: Username.openapi({ param: { name: "username", in: "path" } }) }) },
  responses: { 200: jsonContent(User, "The user"), ...problems(400, 401, 404) },
});

const updateRoute = (method: "patch" | "put") =>
  createRoute({
    method,
    path: "/users/{id}",
    tags,
    summary:
      method === "patch"
        ? "Change your username and/or password (a new password revokes earlier tokens)"
        : "Same as PATCH",
    security: bearerSecurity,
    middleware: [requireAuth, jsonBody] as const,
    request: { params: UserParams, body: jsonRequestBody(UserUpdate) },
    responses: { 200: jsonContent(User, "The updated user"), ...problems(400, 401, 403, 404, 409, 413, 415, 429) },
  });

export const patch = updateRoute("patch");
export const put = updateRoute("put");

export const remove = createRoute({
  method: "delete",
  path: "/users/{id}",
  tags,
  summary: "Delete your account: your tweets, likes and follows go too, and every count drops",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: { params: UserParams },
  responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 404, 429) },
});
