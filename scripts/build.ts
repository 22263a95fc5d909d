/**
 * The Worker's build (wrangler.toml [build]: `wrangler dev`, the tests and `wrangler deploy` all run
 * it; wrangler then bundles its output for workerd). One esbuild pass over src/index.ts that leaves
 * out code the Worker never runs and that would cost ~45 KiB of the deployed (gzipped) bundle:
 *
 * - zod's 50 translations of its error messages (zod/v4/locales): the API answers in English, and
 *   @hono/zod-openapi hands the whole `z` namespace to zod-to-openapi, so no tree-shaking drops them;
 * - zod's JSON-Schema-to-zod converter (nothing here reads JSON Schema).
 *
 * Output: dist/worker.js (wrangler.toml's `main`), or the file named as the first argument (each
 * test and bench stack builds its own copy, see scripts/stack/stack.ts). Written atomically.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as esbuild from "esbuild";
import { ROOT } from "./stack/database";

const OUT = process.argv[2] ?? join(ROOT, "dist", "worker.js");

/** Modules replaced by a stub: [path pattern, stub source]. */
const STUBS: [RegExp, string][] = [
  [/zod\/v4\/locales\/index\.js$/, 'export { default as en } from "./en.js";'],
  [
    /zod\/v4\/classic\/from-json-schema\.js$/,
    'export function fromJSONSchema() { throw new Error("fromJSONSchema is not in this bundle"); }',
  ],
];

const NODE_BUILTINS = [
  "assert",
  "buffer",
  "crypto",
  "dns",
  "events",
  "fs",
  "net",
  "os",
  "path",
  "stream",
  "string_decoder",
  "tls",
  "url",
  "util",
];

const result = await esbuild.build({
  entryPoints: [join(ROOT, "src", "index.ts")],
  outfile: OUT,
  write: false,
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  // Left to wrangler: workerd's modules, Node's built-ins, and pg, whose CommonJS `require`s of
  // built-ins only wrangler's nodejs_compat bundling turns into imports (bundled here, its Client
  // came out undefined in workerd).
  external: ["cloudflare:*", "node:*", "pg", "pg-native", ...NODE_BUILTINS],
  sourcemap: "linked",
  // With the sources in the map, wrangler's bundler (in watch mode, always) reads no file of src/
  // through it, so editing src/ reloads no test or bench Worker (scripts/stack/stack.ts, buildWorker).
  sourcesContent: true,
  logLevel: "warning",
  plugins: [
    {
      name: "stubs",
      setup(build) {
        for (const [filter, contents] of STUBS) build.onLoad({ filter }, () => ({ contents, loader: "js" }));
      },
    },
  ],
});
mkdirSync(dirname(OUT), { recursive: true });
for (const file of result.outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
