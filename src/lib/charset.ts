import type { MiddlewareHandler } from "hono";

/** JSON responses declare their charset: `application/json; charset=utf-8`. */
export const jsonCharset: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.headers.get("Content-Type") === "application/json") {
    c.res.headers.set("Content-Type", "application/json; charset=utf-8");
  }
};
