export type FieldError = { path: string; message: string };

/** What a write whose outcome is unknown tells its client: that it may have happened, and how to retry safely. */
export const WRITE_MAY_HAVE_HAPPENED =
  "This write may have been applied. To retry safely: repeat POST /tweets with the same Idempotency-Key " +
  "(it returns the tweet if the first attempt created it, and never creates two); every other write can be sent " +
  "again as it is (likes, follows, deletes and updates are idempotent; a repeated sign-up that did happen answers " +
  "409: log in).";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The statuses the API answers with a problem document. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503 | 504;

/**
 * The one error type of the API: everything that goes wrong ends as an ApiError, which renders
 * itself as an RFC 9457 problem document (`getResponse`, as Hono's HTTPException does).
 */
export class ApiError extends Error {
  constructor(
    readonly status: ProblemStatus,
    readonly title: string,
    readonly detail: string,
    readonly options: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      cause?: unknown;
      /** The database may have applied the statement (a deadline passed, a connection was lost mid-way). */
      outcomeUnknown?: boolean;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = "ApiError";
  }

  /**
   * The problem document. `method`: the request's; a write whose outcome is unknown (a deadline
   * passed, a connection was lost mid-way) says so and how to retry without doing it twice.
   */
  getResponse(method = "GET"): Response {
    const { errors, headers } = this.options;
    const unknownWrite = this.options.outcomeUnknown && !READS.has(method);
    const detail = unknownWrite ? `${this.detail} ${WRITE_MAY_HAVE_HAPPENED}` : this.detail;
    const body = { type: "about:blank", title: this.title, status: this.status, detail, errors };
    const response = new Response(JSON.stringify(body), { status: this.status, headers });
    response.headers.set("Content-Type", "application/problem+json; charset=utf-8");
    return response;
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ApiError(400, "Bad Request", detail, { errors });
export const validationFailed = (errors: FieldError[]) =>
  new ApiError(400, "Bad Request", "The request is not valid.", { errors });
export const unauthorized = (detail: string) =>
  new ApiError(401, "Unauthorized", detail, { headers: { "WWW-Authenticate": 'Bearer realm="api"' } });
export const forbidden = (detail: string) => new ApiError(403, "Forbidden", detail);
/** A follow, like, repost, reply or quote while a block stands between the two users, either way. */
export const blockStands = () =>
  forbidden("A block stands between you and this user: you cannot follow them or act on their tweets.");
export const notFound = (detail: string) => new ApiError(404, "Not Found", detail);
export const methodNotAllowed = (allow: string[]) =>
  new ApiError(405, "Method Not Allowed", `Allowed methods: ${allow.join(", ")}.`, {
    headers: { Allow: allow.join(", ") },
  });
export const conflict = (detail: string) => new ApiError(409, "Conflict", detail);
export const unprocessable = (detail: string) => new ApiError(422, "Unprocessable Content", detail);
export const payloadTooLarge = (limit: number) =>
  new ApiError(413, "Content Too Large", `The request body must be at most ${limit} bytes.`);
export const unsupportedMediaType = () =>
  new ApiError(415, "Unsupported Media Type", "The request body must be JSON sent as application/json.");
export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiError(429, "Too Many Requests", "Too many requests: slow down and retry later.", {
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
export const serviceUnavailable = (detail: string) =>
  new ApiError(503, "Service Unavailable", detail, { headers: { "Retry-After": "1" } });
export const gatewayTimeout = (detail: string) =>
  new ApiError(504, "Gateway Timeout", detail, { headers: { "Retry-After": "1" }, outcomeUnknown: true });
export const internalError = () =>
  new ApiError(500, "Internal Server Error", "Something went wrong on our side; it has been logged.");
