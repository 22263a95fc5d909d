import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Test files share one Worker and one database; each test creates the rows it asserts on.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
