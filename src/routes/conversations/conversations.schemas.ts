import { z } from "@hono/zod-openapi";
import { Tweet } from "../../models/tweet";

export const Context = z
  .object({
    ancestors: z.array(Tweet).openapi({ description: "The unbroken chain of parents, root side first (at most 100)." }),
    descendants: z
      .array(Tweet)
      .openapi({ description: "Replies depth-first, each tweet's replies oldest first (at most 200, 20 levels)." }),
  })
  .openapi("Context");
