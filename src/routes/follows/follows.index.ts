import { createRouter } from "../../http/openapi";
import * as handlers from "./follows.handlers";
import * as routes from "./follows.routes";

export default createRouter()
  .openapi(routes.followers, handlers.followers)
  .openapi(routes.following, handlers.following)
  .openapi(routes.follow, handlers.follow)
  .openapi(routes.unfollow, handlers.unfollow);
