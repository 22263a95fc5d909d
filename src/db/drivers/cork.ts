export type CorkableStream = {
  write(data: Uint8Array | string, ...rest: unknown[]): boolean;
  cork?: () => void;
  uncork?: () => void;
};

/**
 * pg corks its socket around the messages of a query (Parse, Bind, Describe, Execute, Sync) so
 * that they leave in one write. Its socket on workerd (pg-cloudflare) has no cork: each message
 * would leave as its own TCP segment, and Nagle's algorithm would hold the later ones until the
 * first is acknowledged (a delayed ACK per statement). This gives the socket a cork that gathers
 * the messages into one write.
 */
export function corkable(stream: CorkableStream) {
  if (stream.cork) return;
  const write = stream.write.bind(stream);
  let depth = 0;
  let pending: Uint8Array[] = [];
  stream.cork = () => {
    depth++;
  };
  stream.uncork = () => {
    if (depth > 0) depth--;
    if (depth > 0 || pending.length === 0) return;
    const chunks = pending;
    pending = [];
    const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    write(data);
  };
  stream.write = (data, ...rest) => {
    if (depth === 0) return write(data, ...rest);
    // A copy: the caller may reuse its buffer once write() returns.
    pending.push(typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  };
}
