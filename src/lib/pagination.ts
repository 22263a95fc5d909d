import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DEFAULT_PAGE_SIZE, INT32_MAX, MAX_PAGE_SIZE, PLAIN_DECIMAL } from "./limits";
import { badRequest } from "./problem";

const LIMIT_RULE = `limit must be an integer from 1 to ${MAX_PAGE_SIZE} in plain decimal`;

/** `?limit=&cursor=` of every list endpoint. */
export const PageQuery = z.object({
  limit: z
    .string()
    .regex(PLAIN_DECIMAL, LIMIT_RULE)
    .transform(Number)
    .pipe(z.number().min(1, LIMIT_RULE).max(MAX_PAGE_SIZE, LIMIT_RULE))
    .optional()
    .openapi({
      type: "integer",
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
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

/** What a list statement needs: how many rows (it reads one more, to know whether a next page exists) and where to start. */
export type Page = { limit: number; after?: Position };

const id = z.number().int().min(1).max(INT32_MAX);
const positionSchema = z.union([z.tuple([id]), z.tuple([z.iso.datetime(), id])]);

export function encodeCursor(position: Position): string {
  const json = JSON.stringify(position.at ? [position.at.toISOString(), position.id] : [position.id]);
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const invalidCursor = () =>
  badRequest("The cursor is not valid for this list.", [{ path: "cursor", message: "invalid cursor" }]);

/** Decodes a cursor; `timed` says whether this list's order has a timestamp. Bad cursors are 400. */
export function decodeCursor(cursor: string | undefined, timed: boolean): Position | undefined {
  if (cursor === undefined) return undefined;
  let parsed: z.infer<typeof positionSchema>;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
    parsed = positionSchema.parse(JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/"))));
  } catch {
    throw invalidCursor();
  }
  if (parsed.length === 1) {
    if (timed) throw invalidCursor();
    return { id: parsed[0] };
  }
  const at = new Date(parsed[0]);
  if (!timed || Number.isNaN(at.getTime())) throw invalidCursor();
  return { at, id: parsed[1] };
}

/** The page a list request asks for: its `limit` (default 20) and decoded `cursor`. */
export const readPage = (query: { limit?: number; cursor?: string }, timed = true): Page => ({
  limit: query.limit ?? DEFAULT_PAGE_SIZE,
  after: decodeCursor(query.cursor, timed),
});

/**
 * One page from the `limit + 1` items a statement read: returns the first `limit` and, when the
 * extra one exists, sets `Link: <next page URL>; rel="next"`, keeping the other query parameters.
 */
export function paginate<Item>(c: Context, items: Item[], page: Page, positionOf: (item: Item) => Position): Item[] {
  const shown = items.slice(0, page.limit);
  const last = shown.at(-1);
  if (items.length > page.limit && last) {
    const next = new URL(c.req.url);
    next.searchParams.set("cursor", encodeCursor(positionOf(last)));
    c.header("Link", `<${next.toString()}>; rel="next"`);
  }
  return shown;
}

/** The position of an item in a list ordered by its own (created_at, id). */
export const byCreation = (item: { createdAt: Date; id: number }): Position => ({ at: item.createdAt, id: item.id });
