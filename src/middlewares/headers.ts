import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/**
 * Response headers every answer carries: hono's secure headers (nosniff, no framing, no referrer,
 * HSTS, …) and `application/json; charset=utf-8` on JSON. CORP stays `cross-origin`: this is an
 * API for browser clients on any origin.
 */
export const securityHeaders = secureHeaders({ crossOriginResourcePolicy: "cross-origin" });

export const jsonCharset: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.headers.get("Content-Type") === "application/json") {
    c.res.headers.set("Content-Type", "application/json; charset=utf-8");
  }
};
