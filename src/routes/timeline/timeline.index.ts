import { createRouter } from "../../http/openapi";
import * as handlers from "./timeline.handlers";
import * as routes from "./timeline.routes";

export default createRouter().openapi(routes.timeline, handlers.timeline);
