import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./database";

/** Where the embedded database lives (git-ignored unless DEV_DATA_DIR moves it), and the note `npm run dev` leaves while it runs. */
export const DATA_DIR = process.env.DEV_DATA_DIR || join(ROOT, ".data");
export const PGLITE_DIR = join(DATA_DIR, "pglite");
const RUNNING_FILE = join(DATA_DIR, "dev-running.json");

/** The embedded database's URL while `npm run dev` serves it (PGlite allows one process per folder). */
export function runningEmbeddedUrl(): string | undefined {
  if (!existsSync(RUNNING_FILE)) return undefined;
  const note = JSON.parse(readFileSync(RUNNING_FILE, "utf8")) as { pid: number; url: string };
  try {
    process.kill(note.pid, 0);
    return note.url;
  } catch {
    rmSync(RUNNING_FILE, { force: true });
    return undefined;
  }
}

export function markEmbeddedRunning(url: string): () => void {
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(RUNNING_FILE, JSON.stringify({ pid: process.pid, url }));
  return () => rmSync(RUNNING_FILE, { force: true });
}

/** `.dev.vars` holds the Worker's local secrets (git-ignored); JWT_SECRET is generated on first run. */
export const DEV_VARS = ".dev.vars";

/** The variables of `.dev.vars` (KEY=value lines; # comments). */
export function readDevVars(): Record<string, string> {
  const file = join(ROOT, DEV_VARS);
  if (!existsSync(file)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && !line.trimStart().startsWith("#"))
      vars[match[1]] = (match[2] ?? "").replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

export function ensureDevSecret(): void {
  const file = join(ROOT, DEV_VARS);
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (/^JWT_SECRET=.+$/m.test(current)) return;
  const line = `JWT_SECRET=${randomBytes(32).toString("hex")}\n`;
  writeFileSync(file, current && !current.endsWith("\n") ? `${current}\n${line}` : current + line);
  console.log("Generated JWT_SECRET in .dev.vars");
}
