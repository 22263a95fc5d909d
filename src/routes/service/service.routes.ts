import { createRoute, z } from "@hono/zod-openapi";
import { jsonContent, problems } from "../../http/openapi";
import { Health, Root } from "./service.schemas";

const tags = ["Service"];

export const root = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "Name, version and links",
  responses: { 200: jsonContent(Root, "About this API") },
});

export const health = createRoute({
  method: "get",
  path: "/health",
  tags,
  summary: "Whether the database answers",
  responses: { 200: jsonContent(Health, "The database answers"), ...problems(503) },
});

export const docs = createRoute({
  method: "get",
  path: "/docs",
  tags,
  summary: "Interactive API reference (HTML)",
  responses: { 200: { description: "HTML page", content: { "text/html": { schema: z.string() } } } },
});
