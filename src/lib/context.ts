import type { Context, MiddlewareHandler } from "hono";
import { createDatabase, type Database } from "../db/client";
import { type Bindings, type Config, loadConfig } from "../env";

/** The caller named by a verified access token: user id and the token version it was issued for. */
export type Caller = { id: number; version: number };

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: Config;
    caller?: Caller;
    db?: Database;
    closeDb?: () => Promise<void>;
  };
};

export type AppContext = Context<AppEnv>;

/** Loads the typed configuration and, after the response, closes the request's database connection. */
export const appContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("config", loadConfig(c.env));
  try {
    await next();
  } finally {
    const close = c.get("closeDb");
    if (close) c.executionCtx.waitUntil(close().catch(() => {}));
  }
};

/** The request's database handle, created on first use (routes that need no database open nothing). */
export function useDb(c: AppContext): Database {
  const existing = c.get("db");
  if (existing) return existing;
  const { db, close } = createDatabase(c.get("config"));
  c.set("db", db);
  c.set("closeDb", close);
  return db;
}
