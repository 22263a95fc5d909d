import { OpenAPIHono } from "@hono/zod-openapi";
import { validationFailed } from "../lib/problem";
import type { AppEnv } from "../types";

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
