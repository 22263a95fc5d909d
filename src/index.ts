import app from "./app";

export type { AppType } from "./app";

/** The Worker: `wrangler dev` runs it locally, `wrangler deploy` ships it. */
export default app satisfies ExportedHandler<import("./env").Bindings>;
