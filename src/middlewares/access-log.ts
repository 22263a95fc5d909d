import type { MiddlewareHandler } from "hono";
import { log } from "../lib/log";
import type { AppEnv } from "../types";

/** One line per request: id, method, path, status, duration. */
export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  await next();
  log("info", "request", {
    request_id: c.var.requestId,
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Date.now() - started,
  });
};
