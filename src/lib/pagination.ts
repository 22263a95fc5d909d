import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { badRequest } from "./problem";

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** `?limit=&cursor=` of every list endpoint. */
export const PageQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, `limit must be an integer from 1 to ${MAX_LIMIT}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, `limit must be an integer from 1 to ${MAX_LIMIT}`)
        .max(MAX_LIMIT, `limit must be an integer from 1 to ${MAX_LIMIT}`),
    )
    .optional()
    .openapi({
      type: "integer",
      minimum: 1,
      maximum: MAX_LIMIT,
      default: DEFAULT_LIMIT,
      description: "Page size.",
      param: { name: "limit", in: "query" },
    }),
  cursor: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      description: 'Opaque cursor from the previous page\'s `Link: <…>; rel="next"` header.',
      param: { name: "cursor", in: "query" },
    }),
});

/** A keyset position: the sort timestamp (when the order has one) and the tie-breaking id. */
export type Position = { at?: Date; id: number };

const positionSchema = z.union([
  z.tuple([z.number().int().min(1).max(2147483647)]),
  z.tuple([z.iso.datetime(), z.number().int().min(1).max(2147483647)]),
]);

export function encodeCursor(position: Position): string {
  const json = JSON.stringify(position.at ? [position.at.toISOString(), position.id] : [position.id]);
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes a cursor; `timed` says whether this list's order has a timestamp. Bad cursors are 400. */
export function decodeCursor(cursor: string | undefined, timed: boolean): Position | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    badRequest("The cursor is not valid for this list.", [{ path: "cursor", message: "invalid cursor" }]);
  let parsed: z.infer<typeof positionSchema>;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
    const json = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    parsed = positionSchema.parse(JSON.parse(json));
  } catch {
    throw invalid();
  }
  if (parsed.length === 1) {
    if (timed) throw invalid();
    return { id: parsed[0] };
  }
  if (!timed) throw invalid();
  return { at: new Date(parsed[0]), id: parsed[1] };
}

/**
 * One page from `limit + 1` rows: returns the first `limit` as items and, when the extra row
 * exists, sets `Link: <next page URL>; rel="next"`, keeping the other query parameters.
 */
export function paginate<Row, Item>(
  c: Context,
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  positionOf: (row: Row) => Position,
): Item[] {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length > limit && last) {
    const next = new URL(c.req.url);
    next.searchParams.set("cursor", encodeCursor(positionOf(last)));
    c.header("Link", `<${next.toString()}>; rel="next"`);
  }
  return page.map(toItem);
}
