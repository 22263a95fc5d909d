import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, idParam, jsonContent, jsonRequestBody, pageOf, problems } from "../../http/openapi";
import { requireAuth } from "../../middlewares/auth";
import { jsonBody } from "../../middlewares/json-body";
import { Notification } from "../../models/notification";
import { Marker, NewMarker, NotificationsQuery, UnreadCount } from "./notifications.schemas";

const tags = ["Notifications"];
const params = z.object({ id: idParam("id", "Your user id") });

export const list = createRoute({
  method: "get",
  path: "/users/{id}/notifications",
  tags,
  summary: "Your notifications, newest first",
  description:
    "Likes, reposts and quotes of your tweets, replies to them, mentions of you and follows of you; none of your " +
    "own actions, none from users you block, who block you or whom you mute.",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: { params, query: NotificationsQuery },
  responses: { 200: pageOf(Notification, "A page of notifications"), ...problems(400, 401, 403, 404, 429) },
});

export const unreadCount = createRoute({
  method: "get",
  path: "/users/{id}/notifications/unread_count",
  tags,
  summary: "How many of your notifications are above the marker (counted up to 1000)",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: { params },
  responses: { 200: jsonContent(UnreadCount, "The unread count"), ...problems(400, 401, 403, 404, 429) },
});

export const getMarker = createRoute({
  method: "get",
  path: "/users/{id}/notifications/marker",
  tags,
  summary: "Your read marker: the id of the last notification read",
  security: bearerSecurity,
  middleware: [requireAuth] as const,
  request: { params },
  responses: { 200: jsonContent(Marker, "The marker"), ...problems(400, 401, 403, 404, 429) },
});

export const putMarker = createRoute({
  method: "put",
  path: "/users/{id}/notifications/marker",
  tags,
  summary: "Move your read marker forward (a lower id leaves it where it is)",
  security: bearerSecurity,
  middleware: [requireAuth, jsonBody] as const,
  request: { params, body: jsonRequestBody(NewMarker) },
  responses: { 200: jsonContent(Marker, "The marker now"), ...problems(400, 401, 403, 404, 413, 415, 429) },
});
