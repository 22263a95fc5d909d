import { z } from "@hono/zod-openapi";

export const Root = z
  .object({
    name: z.string(),
    version: z.string(),
    links: z.object({ docs: z.string(), openapi: z.string(), health: z.string() }),
  })
  .openapi("Root");

export const Health = z.object({ status: z.literal("ok") }).openapi("Health");
