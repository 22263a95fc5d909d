import { z } from "@hono/zod-openapi";
import { NOTIFICATION_TYPES, type NotificationType } from "../../db/schema";
import { idField } from "../../http/openapi";
import { PageQuery } from "../../http/page";
import { UNREAD_COUNT_CAP } from "../../lib/limits";

const TYPES_RULE = `types must be a comma-separated list of ${NOTIFICATION_TYPES.join(", ")}`;
const isType = (t: string): t is NotificationType => (NOTIFICATION_TYPES as readonly string[]).includes(t);

/** `?types=like,follow`: a comma-separated subset of the types; an unknown or empty one is 400. */
export const NotificationsQuery = PageQuery.extend({
  types: z
    .string()
    .transform((s, ctx) => {
      const types = s.split(",");
      if (!types.every(isType)) {
        ctx.addIssue({ code: "custom", message: TYPES_RULE });
        return z.NEVER;
      }
      return types as NotificationType[];
    })
    .optional()
    .openapi({
      type: "string",
      description: `Keep only these types: a comma-separated subset of ${NOTIFICATION_TYPES.join(", ")}.`,
      example: "like,follow",
      param: { name: "types", in: "query" },
    }),
});

export const UnreadCount = z
  .object({
    count: z
      .number()
      .int()
      .openapi({ description: `Unread notifications, counted up to ${UNREAD_COUNT_CAP}.`, example: 3 }),
  })
  .openapi("UnreadCount");

export const Marker = z
  .object({
    last_read_id: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The id of the last notification read; null before the first PUT.", example: 91 }),
  })
  .openapi("NotificationMarker");

export const NewMarker = z
  .object({ last_read_id: idField("last_read_id", "The last notification read; the marker only moves forward.") })
  .openapi("NewNotificationMarker");
