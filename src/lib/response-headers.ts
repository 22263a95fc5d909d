import type { MiddlewareHandler } from "hono";

/** JSON responses declare their charset (`application/json; charset=utf-8`); no response is sniffed. */
export const responseHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  if (c.res.headers.get("Content-Type") === "application/json") {
    c.res.headers.set("Content-Type", "application/json; charset=utf-8");
  }
};
