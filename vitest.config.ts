import { defineConfig } from "vitest/config";
import { isLocalHyperdriveSocketError } from "./scripts/stack/local-hyperdrive.ts";

/** The local Hyperdrive proxy's socket errors (see scripts/stack/local-hyperdrive.ts) are not test failures. */
const hyperdrive = process.env.TEST_DB_DRIVER === "hyperdrive";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Test files share one Worker and one database; each test creates the rows it asserts on.
    fileParallelism: true,
    maxWorkers: 2,
    onUnhandledError: (error) => !(hyperdrive && isLocalHyperdriveSocketError(error)),
  },
});
