import { neonConfig } from "@neondatabase/serverless";

/**
 * Local development and tests only: point Neon's driver at the local stand-ins that scripts/stack
 * starts, whose URLs hold a per-run secret (SECURITY.md). neonConfig is module state, set once per
 * URL; production sets neither URL and never calls these.
 */
let sqlEndpoint: string | undefined;
let proxy: string | undefined;

/** The stand-in for Neon's SQL-over-HTTP endpoint, which takes only application/json. */
export function useLocalSqlEndpoint(url: string) {
  if (sqlEndpoint === url) return;
  neonConfig.fetchEndpoint = () => url;
  neonConfig.fetchFunction = (input: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    headers.set("Content-Type", "application/json");
    return fetch(input, { ...init, headers });
  };
  sqlEndpoint = url;
}

/** The local WebSocket-to-TCP proxy in front of Postgres. */
export function useLocalProxy(url: string) {
  if (proxy === url) return;
  const base = url.replace(/\/+$/, "");
  neonConfig.wsProxy = (host, port) => `${base.replace(/^wss?:\/\//, "")}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = base.startsWith("wss:");
  // With pipelining, a SCRAM server rejects the login (and pglite-socket stops answering).
  neonConfig.pipelineConnect = false;
  proxy = url;
}
