import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../middlewares/context";

/** The handler of an OpenAPI route definition, with its params, query, body and responses typed. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
