import { DrizzleQueryError } from "drizzle-orm/errors";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import pkg from "../package.json";
import { pgErrorOf, toApiError, transportReason } from "./db/errors";
import { createRouter } from "./http/router";
import { log } from "./lib/log";
import * as problems from "./lib/problem";
import { accessLog } from "./middlewares/access-log";
import { appContext } from "./middlewares/context";
import { jsonCharset, securityHeaders } from "./middlewares/headers";
import auth from "./routes/auth/auth.handlers";
import blocks from "./routes/blocks/blocks.handlers";
import bookmarks from "./routes/bookmarks/bookmarks.handlers";
import conversations from "./routes/conversations/conversations.handlers";
import follows from "./routes/follows/follows.handlers";
import likes from "./routes/likes/likes.handlers";
import mentions from "./routes/mentions/mentions.handlers";
import notifications from "./routes/notifications/notifications.handlers";
import reposts from "./routes/reposts/reposts.handlers";
import search from "./routes/search/search.handlers";
import service from "./routes/service/service.handlers";
import timeline from "./routes/timeline/timeline.handlers";
import tweets from "./routes/tweets/tweets.handlers";
import users from "./routes/users/users.handlers";

const app = createRouter();

app.use(requestId({ headerName: "X-Request-Id" }));
app.use(
  cors({
    origin: "*",
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
    exposeHeaders: ["Link", "Location", "Retry-After", "X-Request-Id"],
    maxAge: 86400,
  }),
);
app.use(accessLog);
app.use(securityHeaders);
app.use(jsonCharset);
app.use(appContext);
app.use(
  methodNotAllowed({ app, onMethodNotAllowed: (_c, methods) => problems.methodNotAllowed(methods).getResponse() }),
);

// Search first: /tweets/search must not be read as /tweets/{id}.
const routes = app
  .route("/", service)
  .route("/", auth)
  .route("/", search)
  .route("/", users)
  .route("/", tweets)
  .route("/", likes)
  .route("/", reposts)
  .route("/", follows)
  .route("/", timeline)
  .route("/", conversations)
  .route("/", blocks)
  .route("/", bookmarks)
  .route("/", notifications)
  .route("/", mentions);

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description: "An access token from POST /auth/login.",
});

app.openAPIRegistry.registerPath({
  method: "get",
  path: "/openapi.json",
  tags: ["Service"],
  summary: "This OpenAPI 3.1 document",
  responses: { 200: { description: "The OpenAPI document", content: { "application/json": { schema: {} } } } },
});

app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "Twitter API",
    version: pkg.version,
    description:
      "Users, tweets, likes, follows, a home timeline, conversations, search, notifications and mentions. Lists are bare JSON arrays paged " +
      'by keyset cursors (`Link: <…>; rel="next"`); errors are RFC 9457 problem documents.',
  },
});

app.notFound((c) => problems.notFound(`No route for ${c.req.method} ${c.req.path}.`).getResponse());

/** The one error path: every failure becomes a problem document; 5xx are logged with codes, never messages. */
app.onError((error, c) => {
  let problem: problems.ApiError;
  if (error instanceof problems.ApiError) problem = error;
  else if (error instanceof DrizzleQueryError || pgErrorOf(error)) problem = toApiError(error);
  else if (error instanceof HTTPException && error.status < 500)
    problem =
      error.status === 400
        ? problems.badRequest("The request is malformed.")
        : new problems.ApiError(
            error.status as problems.ProblemStatus,
            error.message || "Error",
            error.message || "The request was rejected.",
          );
  else problem = problems.internalError();
  if (problem.status >= 500) {
    // A database failure travels as the problem's cause; driver and query errors quote SQL
    // parameters, so only their name and SQLSTATE are logged.
    const cause = error instanceof problems.ApiError && error.cause ? error.cause : error;
    const pg = pgErrorOf(cause);
    const fromDatabase = cause !== error || cause instanceof DrizzleQueryError || pg;
    log("error", "request failed", {
      request_id: c.var.requestId,
      status: problem.status,
      error: cause instanceof Error ? cause.name : "unknown",
      ...(pg ? { pg_code: pg.code } : fromDatabase ? { reason: transportReason(cause) } : { detail: error.message }),
    });
  }
  return problem.getResponse(c.req.method);
});

export default app;
export type AppType = typeof routes;
