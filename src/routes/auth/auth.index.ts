import { createRouter } from "../../http/openapi";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";

export default createRouter().openapi(routes.login, handlers.login);
