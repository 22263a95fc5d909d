import { sql } from "drizzle-orm";
import pkg from "../../../package.json";
import { withinDeadline } from "../../db/run";
import { createRouter } from "../../http/router";
import { notFound, serviceUnavailable } from "../../lib/problem";
import type { AppRouteHandler } from "../../types";
import * as routes from "./service.routes";

export const root: AppRouteHandler<typeof routes.root> = (c) =>
  c.json(
    {
      name: pkg.name,
      version: pkg.version,
      links: { docs: "/docs", openapi: "/openapi.json", health: "/health" },
    },
    200,
  );

/** /health answers within 3 s whatever the database does. */
const HEALTH_DEADLINE_MS = 2_500;

export const health: AppRouteHandler<typeof routes.health> = async (c) => {
  try {
    const { db, deadlineMs } = await c.var.connection();
    await withinDeadline(Math.min(deadlineMs, HEALTH_DEADLINE_MS), () => db.execute(sql`SELECT 1`));
  } catch {
    throw serviceUnavailable("The database does not answer.");
  }
  return c.json({ status: "ok" as const }, 200);
};

/** The reference UI: its script and styles are served by this Worker (see DOCS_ASSETS), no CDN. */
const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${pkg.name} — API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#reference", deepLinking: true, tryItOutEnabled: true });
  </script>
</body>
</html>`;

export const docs: AppRouteHandler<typeof routes.docs> = (c) => c.html(DOCS_HTML, 200);

/** The files of the swagger-ui-dist package that /docs loads, served from Workers static assets. */
export const DOCS_ASSETS = new Set(["swagger-ui.css", "swagger-ui-bundle.js"]);

/** The resource's router: each route of the table with its handler. */
export default createRouter()
  .openapi(routes.root, root)
  .openapi(routes.health, health)
  .openapi(routes.docs, docs)
  .get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    if (!DOCS_ASSETS.has(file) || !c.env.ASSETS) throw notFound(`No such asset: ${file}.`);
    const asset = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
    const response = new Response(asset.body, asset);
    response.headers.set("Cache-Control", "public, max-age=86400");
    return response;
  });
