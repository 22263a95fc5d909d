import type { Context, MiddlewareHandler } from "hono";
import { type Database, openDatabase } from "../db/client";
import { type Bindings, type Config, loadConfig } from "../env";
import { log } from "../lib/log";
import { serviceUnavailable } from "../lib/problem";

/** The caller named by a verified access token: user id and the token version it was issued for. */
export type Caller = { id: number; version: number };

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: Config;
    caller?: Caller;
    /** The request's database, opened on first use (routes that need none open nothing). */
    db: () => Promise<Database>;
  };
};

export type AppContext = Context<AppEnv>;

/**
 * Loads the typed configuration (an invalid setting answers 503 and logs the setting's name, never
 * its value) and gives the request its database, closed once the response is on its way.
 */
export const appContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const loaded = loadConfig(c.env);
  if (!loaded.ok) {
    log("error", "invalid configuration", { request_id: c.var.requestId, settings: loaded.invalid });
    throw serviceUnavailable("The service is misconfigured; the operator has been told which setting in the log.");
  }
  c.set("config", loaded.config);
  let opened: Promise<Database> | undefined;
  c.set("db", () => {
    opened ??= openDatabase(loaded.config, c.env);
    return opened;
  });
  try {
    await next();
  } finally {
    if (opened) {
      const closing = opened.then((db) => db.close()).catch(() => {});
      c.executionCtx.waitUntil(closing);
    }
  }
};
