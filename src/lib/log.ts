import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

/**
 * Structured JSON logs, one line per event, always with the request id. Only fields chosen here
 * are logged: never bodies, headers, tokens, passwords, hashes or driver messages (which quote
 * SQL parameters).
 */
export function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown>) {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  await next();
  log("info", "request", {
    request_id: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Date.now() - started,
  });
};
