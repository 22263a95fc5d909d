import type { MiddlewareHandler } from "hono";
import { openConnection } from "../db/connection";
import { loadConfig } from "../env";
import { log } from "../lib/log";
import { serviceUnavailable } from "../lib/problem";
import type { AppEnv, Connection } from "../types";

/**
 * Loads the typed configuration (an invalid setting answers 503 and logs the setting's name, never
 * its value) and gives the request its connection, opened on first use (routes that need none open
 * nothing) and closed once the response is on its way.
 */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

export const appContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const loaded = loadConfig(c.env);
  if (!loaded.ok) {
    log("error", "invalid configuration", { request_id: c.var.requestId, settings: loaded.invalid });
    throw serviceUnavailable("The service is misconfigured; the operator has been told which setting in the log.");
  }
  c.set("config", loaded.config);
  let opened: Promise<Connection> | undefined;
  c.set("connection", () => {
    opened ??= openConnection(loaded.config, c.env, { writes: !READS.has(c.req.method) });
    return opened;
  });
  try {
    await next();
  } finally {
    if (opened) {
      const closing = opened.then((connection) => connection.close()).catch(() => {});
      c.executionCtx.waitUntil(closing);
    }
  }
};
