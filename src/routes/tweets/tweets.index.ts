import { createRouter } from "../../http/openapi";
import * as handlers from "./tweets.handlers";
import * as routes from "./tweets.routes";

export default createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.userTweets, handlers.userTweets);
