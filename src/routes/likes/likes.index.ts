import { createRouter } from "../../http/openapi";
import * as handlers from "./likes.handlers";
import * as routes from "./likes.routes";

export default createRouter()
  .openapi(routes.likedTweets, handlers.likedTweets)
  .openapi(routes.likingUsers, handlers.likingUsers)
  .openapi(routes.like, handlers.like)
  .openapi(routes.unlike, handlers.unlike);
