import { z } from "@hono/zod-openapi";
import { INT32_MAX, PLAIN_DECIMAL } from "../lib/limits";

/** A path id: a positive integer in the 32-bit range in plain decimal (no sign, no leading zero), else 400. */
export const idParam = (name: string, description: string) =>
  z
    .string()
    .regex(PLAIN_DECIMAL, `${name} must be a positive 32-bit integer in plain decimal`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, `${name} must be a positive 32-bit integer`)
        .max(INT32_MAX, `${name} must be a positive 32-bit integer`),
    )
    .openapi({ type: "integer", minimum: 1, maximum: INT32_MAX, description, param: { name, in: "path" } });

/** An id in a request body: a positive integer in the 32-bit range, else 400. */
export const idField = (name: string, description: string) =>
  z
    .number({ error: `${name} must be a positive 32-bit integer` })
    .int(`${name} must be a positive 32-bit integer`)
    .min(1, `${name} must be a positive 32-bit integer`)
    .max(INT32_MAX, `${name} must be a positive 32-bit integer`)
    .openapi({ description, example: 23 });

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
  422: "The Idempotency-Key was used before with a different request body; nothing was created.",
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
