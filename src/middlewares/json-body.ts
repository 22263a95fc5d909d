import type { MiddlewareHandler } from "hono";
import { MAX_BODY_BYTES } from "../lib/limits";
import { CANONICAL_JSON, isJsonMediaType } from "../lib/media-type";
import { badRequest, payloadTooLarge, unsupportedMediaType } from "../lib/problem";
import type { AppEnv } from "../types";

/**
 * How much of an oversized body is read and discarded before answering 413 (see readBody): more
 * than Cloudflare accepts in a request at all (100 MB on most plans), so in practice all of it.
 */
const DRAIN_LIMIT = 128 * 1024 * 1024;

/**
 * Reads the body's bytes, at most `max`, whether or not Content-Length is sent (chunked).
 * An oversized body is drained (up to DRAIN_LIMIT) before the 413: answering while the client is
 * still sending makes `wrangler dev`'s proxy drop the connection and restart the Worker. (This is
 * why `hono/body-limit`, which answers at once, is not used here.)
 */
async function readBody(request: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("Content-Length") ?? Number.NaN);
  const reader = request.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooLarge = declared > max;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) tooLarge = true;
    if (tooLarge) {
      if (total > DRAIN_LIMIT) {
        await reader.cancel();
        break;
      }
      continue;
    }
    chunks.push(value);
  }
  if (tooLarge) return undefined;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Invalid UTF-8 (stray, overlong or surrogate sequences) throws instead of becoming U+FFFD. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Request bodies: JSON sent as application/json (else 415), at most 16 KiB also when chunked
 * (else 413), valid UTF-8 and well-formed (else 400) and a JSON object (else 400). Runs before validation, which
 * then reads the same text again, with the canonical Content-Type.
 */
export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!isJsonMediaType(c.req.header("Content-Type"))) throw unsupportedMediaType();
  const bytes = await readBody(c.req.raw, MAX_BODY_BYTES);
  if (bytes === undefined) throw payloadTooLarge(MAX_BODY_BYTES);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw badRequest("The request body is not valid UTF-8.");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest("The request body is not well-formed JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("The request body must be a JSON object.");
  const headers = new Headers(c.req.raw.headers);
  headers.set("Content-Type", CANONICAL_JSON);
  c.req.raw = new Request(c.req.raw, { body: text, headers });
  await next();
};
