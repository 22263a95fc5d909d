import "vitest";
import type { TestProject } from "vitest/node";
import { startStack } from "../scripts/stack/stack";

/**
 * Starts the Worker in workerd once per run against a fresh database: an in-memory PGlite by
 * default, or a new database on the server named by TEST_DATABASE_URL (dropped afterwards).
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL || undefined;
  const stack = await startStack({ serverUrl, env: "test" });
  console.log(`[tests] Worker ${stack.baseUrl} on ${stack.kind} Postgres, ${stack.driver} driver`);
  project.provide("baseUrl", stack.baseUrl);
  project.provide("proxyUrl", stack.proxyUrl);
  project.provide("databaseUrl", stack.databaseUrl);
  project.provide("jwtSecret", stack.jwtSecret ?? "");
  project.provide("databaseKind", stack.kind);
  return () => stack.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    proxyUrl: string;
    databaseUrl: string;
    jwtSecret: string;
    databaseKind: "embedded" | "server";
  }
}
