import { defineConfig } from "drizzle-kit";

// drizzle-kit generate needs no database; migrate, push and studio use DATABASE_URL
// (any Postgres: the local server, Neon, or the embedded one while `npm run dev` runs).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
  strict: true,
  verbose: true,
});
