import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, jsonContent, jsonRequestBody, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { optionalAuth, requireAuth } from "../../middlewares/auth";
import { jsonBody } from "../../middlewares/json-body";
import { User } from "../../models/user";
import { NewFollow } from "./follows.schemas";

const tags = ["Follows"];
const UserParams = z.object({ id: idParam("id", "User id") });

const listRoute = (direction: "followers" | "following") =>
  createRoute({
    method: "get",
    path: `/users/{id}/${direction}`,
    tags,
    summary:
      direction === "followers"
        ? "Users who follow this user, most recent follow first"
        : "Users this user follows, most recent follow first",
    middleware: [optionalAuth] as const,
    request: { params: UserParams, query: PageQuery },
    responses: { 200: pageOf(User, "A page of users"), ...problems(400, 401, 404) },
  });

export const followers = listRoute("followers");
export const following = listRoute("following");

export const follow = createRoute({
  method: "post",
  path: "/users/{id}/following",
  tags,
  summary: "Follow a user (idempotent: 201 when new, 200 when already following)",
  security: bearerSecurity,
  middleware: [requireAuth, jsonBody] as const,
  request: { params: z.object({ id: idParam("id", "Your user id") }), body: jsonRequestBody(NewFollow) },
  responses: {
    201: jsonContent(User, "Newly followed: the followed user"),
    200: jsonContent(User, "Already followed; the follow keeps its first time"),
    ...problems(400, 401, 403, 404, 413, 415, 429),
  },
});

export const unfollow = createRoute({
  method: "delete",
  path: "/users/{id}/following/{target_user_id}",
  tags,
  summary: "Unfollow a user (idempotent: 204 whether or not you followed them)",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: {
    params: z.object({
      id: idParam("id", "Your user id"),
      target_user_id: idParam("target_user_id", "The user to unfollow"),
    }),
  },
  responses: { 204: { description: "Not following (any more)" }, ...problems(400, 401, 403, 404, 429) },
});
