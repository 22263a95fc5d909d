import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, jsonContent, jsonRequestBody, pageOf, problems } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { requireAuth } from "../../middlewares/auth";
import { jsonBody } from "../../middlewares/json-body";
import { User } from "../../models/user";
import { NewBlock, NewMute } from "./blocks.schemas";

const tags = ["Blocks and mutes"];

const listRoute = (relation: "blocking" | "muting") =>
  createRoute({
    method: "get",
    path: `/users/{id}/${relation}`,
    tags,
    summary:
      relation === "blocking"
        ? "Users you block, most recent block first (private: yours only)"
        : "Users you mute, most recent mute first (private: yours only)",
    security: bearerSecurity,
    middleware: [requireAuth] as const,
    request: { params: z.object({ id: idParam("id", "Your user id") }), query: PageQuery },
    responses: { 200: pageOf(User, "A page of users"), ...problems(400, 401, 403, 404, 429) },
  });

export const blocking = listRoute("blocking");
export const muting = listRoute("muting");

export const block = createRoute({
  method: "post",
  path: "/users/{id}/blocking",
  tags,
  summary: "Block a user (idempotent: 201 when new, 200 when already blocked)",
  description:
    "Removes the follows between you and them, both ways. While a block stands, in either direction, neither " +
    "of you can follow the other, nor like, repost, reply to or quote the other's tweets (403), and their tweets " +
    "are left out of every list of tweets you read with a token (and yours of theirs).",
  security: bearerSecurity,
  middleware: [requireAuth, jsonBody] as const,
  request: { params: z.object({ id: idParam("id", "Your user id") }), body: jsonRequestBody(NewBlock) },
  responses: {
    201: jsonContent(User, "Newly blocked: the blocked user"),
    200: jsonContent(User, "Already blocked; the block keeps its first time"),
    ...problems(400, 401, 403, 404, 413, 415, 429),
  },
});

export const mute = createRoute({
  method: "post",
  path: "/users/{id}/muting",
  tags,
  summary: "Mute a user (idempotent: 201 when new, 200 when already muted)",
  description:
    "Their tweets and reposts leave your home timeline, and they give you no notifications, from your next read " +
    "on. They cannot tell.",
  security: bearerSecurity,
  middleware: [requireAuth, jsonBody] as const,
  request: { params: z.object({ id: idParam("id", "Your user id") }), body: jsonRequestBody(NewMute) },
  responses: {
    201: jsonContent(User, "Newly muted: the muted user"),
    200: jsonContent(User, "Already muted; the mute keeps its first time"),
    ...problems(400, 401, 403, 404, 413, 415, 429),
  },
});

const undoRoute = (relation: "blocking" | "muting") =>
  createRoute({
    method: "delete",
    path: `/users/{id}/${relation}/{target_user_id}`,
    tags,
    summary:
      relation === "blocking"
        ? "Unblock a user (idempotent: 204 whether or not you blocked them)"
        : "Unmute a user (idempotent: 204 whether or not you muted them)",
    security: bearerSecurity,
    middleware: [requireAuth] as const,
    request: {
      params: z.object({
        id: idParam("id", "Your user id"),
        target_user_id: idParam(
          "target_user_id",
          relation === "blocking" ? "The user to unblock" : "The user to unmute",
        ),
      }),
    },
    responses: {
      204: { description: relation === "blocking" ? "Not blocked (any more)" : "Not muted (any more)" },
      ...problems(400, 401, 403, 404, 429),
    },
  });

export const unblock = undoRoute("blocking");
export const unmute = undoRoute("muting");
