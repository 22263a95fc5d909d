import { createRouter } from "../../http/openapi";
import * as handlers from "./conversations.handlers";
import * as routes from "./conversations.routes";

export default createRouter().openapi(routes.replies, handlers.replies).openapi(routes.context, handlers.context);
