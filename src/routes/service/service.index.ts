import { createRouter } from "../../http/openapi";
import { notFound } from "../../lib/problem";
import * as handlers from "./service.handlers";
import * as routes from "./service.routes";

export default createRouter()
  .openapi(routes.root, handlers.root)
  .openapi(routes.health, handlers.health)
  .openapi(routes.docs, handlers.docs)
  .get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    if (!handlers.DOCS_ASSETS.has(file) || !c.env.ASSETS) throw notFound(`No such asset: ${file}.`);
    const asset = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
    const response = new Response(asset.body, asset);
    response.headers.set("Cache-Control", "public, max-age=86400");
    return response;
  });
