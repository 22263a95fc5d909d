import app from "./app";
import { consumeFanout, type FanoutMessage, sweepOutbox } from "./fanout/fanout";
import type { Bindings } from "./types";

export type { AppType } from "./app";

/**
 * The Worker: `wrangler dev` runs it locally, `wrangler deploy` ships it.
 * fetch: the API. queue: the home-timeline fan-out. scheduled: the fan-out outbox sweep.
 */
export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeFanout(batch, env),
  scheduled: async (_controller, env, ctx) => {
    ctx.waitUntil(sweepOutbox(env).then(() => {}));
  },
} satisfies ExportedHandler<Bindings, FanoutMessage>;
