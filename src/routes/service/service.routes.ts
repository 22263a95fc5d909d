import { createRoute, z } from "@hono/zod-openapi";
import { jsonContent, problems } from "../../http/openapi";
import { createRouter } from "../../http/router";
import { notFound } from "../../lib/problem";
import * as handlers from "./service.handlers";
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

export default createRouter()
  .openapi(root, handlers.root)
  .openapi(health, handlers.health)
  .openapi(docs, handlers.docs)
  .get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    if (!handlers.DOCS_ASSETS.has(file) || !c.env.ASSETS) throw notFound(`No such asset: ${file}.`);
    const asset = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
    const response = new Response(asset.body, asset);
    response.headers.set("Cache-Control", "public, max-age=86400");
    return response;
  });
