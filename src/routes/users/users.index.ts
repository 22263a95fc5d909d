import { createRouter } from "../../http/openapi";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

export default createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.byUsername, handlers.byUsername)
  .openapi(routes.get, handlers.get)
  .openapi(routes.patch, handlers.patch)
  .openapi(routes.put, handlers.patch)
  .openapi(routes.remove, handlers.remove);
