import { z } from "@hono/zod-openapi";
import { type Order, Page, type Scanned } from "../db/keyset";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PLAIN_DECIMAL } from "../lib/limits";
import type { AppContext } from "../types";

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
      description: 'Opaque cursor from the previous page\'s `Link: <…>; rel="next"` header, valid for that list only.',
      param: { name: "cursor", in: "query" },
    }),
});

/** The page a list request asks for: the list is the request's path, so a cursor pages only its own list. */
export const readPage = (c: AppContext, order: Order, query: { limit?: number; cursor?: string }) =>
  Page.read(order, c.req.path, query);

/**
 * The page's items from the `limit + 1` rows a statement read, and, when more exist (or the
 * statement's bounded scan stopped at its bound, `scanned`), `Link: <next page URL>; rel="next"`,
 * keeping the other query parameters.
 */
export function paginate<Item extends { id: number }>(
  c: AppContext,
  page: Page,
  rows: Item[],
  scanned?: Scanned,
): Item[] {
  const { items, next } = page.cut(rows, scanned);
  if (next) {
    const url = new URL(c.req.url);
    url.searchParams.set("cursor", next);
    c.header("Link", `<${url.toString()}>; rel="next"`);
  }
  return items;
}
