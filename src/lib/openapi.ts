import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { badRequest, payloadTooLarge, unsupportedMediaType, validationFailed } from "./problem";

export const MAX_BODY_BYTES = 16 * 1024;
const INT32_MAX = 2147483647;

/** A router whose validation failures all become the same 400 problem document. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: (result) => {
      if (!result.success) {
        throw validationFailed(
          result.error.issues.map((issue) => ({
            path: issue.path.map(String).join(".") || "body",
            message: issue.message,
          })),
        );
      }
    },
  });
}

/** A path id: a positive integer in the 32-bit range, else 400. */
export const idParam = (name: string, description: string) =>
  z
    .string()
    .regex(/^[0-9]{1,10}$/, `${name} must be a positive 32-bit integer`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, `${name} must be a positive 32-bit integer`)
        .max(INT32_MAX, `${name} must be a positive 32-bit integer`),
    )
    .openapi({ type: "integer", minimum: 1, maximum: INT32_MAX, description, param: { name, in: "path" } });

export const Problem = z
  .object({
    type: z.string().openapi({ example: "about:blank" }),
    title: z.string().openapi({ example: "Not Found" }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().openapi({ example: "User 42 does not exist." }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const problemContent = { "application/problem+json": { schema: Problem } };

const problemDescriptions: Record<number, string> = {
  400: "Invalid path id, query parameter, cursor or body (problem document with `errors`).",
  401: "Missing, malformed, expired or revoked access token (`WWW-Authenticate: Bearer`).",
  403: "Authenticated, but not allowed to act on this resource.",
  404: "The resource does not exist.",
  409: "The username is taken.",
  413: "The request body is larger than 16 KiB.",
  415: "The request body is not sent as application/json.",
  429: "Rate limited; see `Retry-After`.",
  500: "An unexpected error (logged with the request id).",
  503: "The database is unavailable.",
  504: "The database did not answer in time.",
};

/** Problem responses for the OpenAPI document; every route that uses the database can also fail with 500, 503 and 504. */
export function problems<const S extends readonly (keyof typeof problemDescriptions)[]>(...statuses: S) {
  return Object.fromEntries(
    [...new Set([...statuses, 500, 503, 504])].map((s) => [
      s,
      { description: problemDescriptions[s] ?? "Error", content: problemContent },
    ]),
  ) as { [K in S[number] | 500 | 503 | 504]: { description: string; content: typeof problemContent } };
}

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A list response: a bare JSON array, with `Link: <next>; rel="next"` while more rows exist. */
export const pageOf = <T extends z.ZodType>(item: T, description: string) => ({
  ...jsonContent(z.array(item), description),
  headers: {
    Link: {
      description: 'The next page: `<absolute URL>; rel="next"`; absent on the last page.',
      schema: { type: "string" as const },
    },
  },
});

export const jsonRequestBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const bearerSecurity = [{ bearerAuth: [] }];

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * How much of an oversized body is read and discarded before answering 413 (see readBody): more
 * than Cloudflare accepts in a request at all (100 MB on most plans), so in practice all of it.
 */
const DRAIN_LIMIT = 128 * 1024 * 1024;

/**
 * Reads the body as text, at most `max` bytes, whether or not Content-Length is sent (chunked).
 * An oversized body is drained (up to DRAIN_LIMIT) before the 413: answering while the client is
 * still sending makes `wrangler dev`'s proxy drop the connection and restart the Worker.
 */
async function readBody(request: Request, max: number): Promise<string | undefined> {
  const declared = Number(request.headers.get("Content-Length") ?? Number.NaN);
  const reader = request.body?.getReader();
  if (!reader) return "";
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
  return new TextDecoder().decode(bytes);
}

/**
 * Request bodies: JSON sent as application/json (else 415), at most 16 KiB also when chunked
 * (else 413), well-formed (else 400) and a JSON object (else 400). Runs before validation, which
 * then reads the same text again.
 */
export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!JSON_TYPE.test(c.req.header("Content-Type") ?? "")) throw unsupportedMediaType();
  const text = await readBody(c.req.raw, MAX_BODY_BYTES);
  if (text === undefined) throw payloadTooLarge(MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest("The request body is not well-formed JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("The request body must be a JSON object.");
  c.req.raw = new Request(c.req.raw, { body: text });
  await next();
};
