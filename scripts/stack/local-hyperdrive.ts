/**
 * wrangler 4.86's local Hyperdrive (miniflare's proxy between workerd and the database) pipes its
 * two sockets without error listeners. When the database or the Worker drops a connection
 * mid-write (a database restart, a terminated session, a reset), the proxy's socket emits an
 * unhandled EPIPE or ECONNRESET in the Node process that runs it, which kills that process
 * (cloudflare/workers-sdk#15768, open; later wranglers need Node 22). The connection is gone
 * either way and the Worker answers the request it was serving with a problem, as on every other
 * path; only the process must survive. Newer wranglers connect to a local database without that proxy.
 */

/** A socket error raised from Node's own stream code, with no frame of this project. */
export function isLocalHyperdriveSocketError(error: { code?: unknown; stack?: string }): boolean {
  return (error.code === "EPIPE" || error.code === "ECONNRESET") && !/\/(src|scripts|test)\//.test(error.stack ?? "");
}

let tolerating = false;

/** Keeps this process alive through those errors; any other uncaught exception still ends it. */
export function tolerateLocalHyperdriveResets() {
  if (tolerating) return;
  tolerating = true;
  process.on("uncaughtException", (error) => {
    if (isLocalHyperdriveSocketError(error as Error & { code?: unknown })) return;
    // Another listener (vitest's) reports it; alone, behave as Node would.
    if (process.listenerCount("uncaughtException") > 1) return;
    console.error(error);
    process.exit(1);
  });
}
