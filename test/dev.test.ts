import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/stack/database";
import { freePort } from "../scripts/stack/embedded";
import { LEGS } from "./helpers";

/**
 * `npm run dev` as a person runs it: in a terminal (its own process group), stopped by Ctrl-C
 * (SIGINT to the group), by a process manager (SIGTERM to npm alone) or by closing the terminal
 * (SIGHUP to the group). Nothing it started may outlive it, and the port must be free again.
 * It does not depend on the suite's database or driver, so it runs in one leg only.
 */

/** Every live process whose ancestry reaches `root` (wrangler runs in a process group of its own). */
function tree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {}
  }
  const found = [root];
  for (let i = 0; i < found.length; i++)
    for (const [pid, ppid] of parent) if (ppid === found[i] && !found.includes(pid)) found.push(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    // A zombie is gone for every purpose here but still answers kill(0).
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

describe.runIf(LEGS.once)("npm run dev", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "twitter-dev-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  function start(port: number): { child: ChildProcess; output: () => string } {
    let output = "";
    const child = spawn("npm", ["run", "dev"], {
      cwd: ROOT,
      detached: true, // a process group of its own, as a terminal's foreground job
      env: { ...process.env, PORT: String(port), DEV_DATA_DIR: dataDir, DATABASE_URL: "", DB_DRIVER: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    return { child, output: () => output };
  }

  async function answering(port: number, deadlineMs: number) {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }

  const cases = [
    { signal: "SIGINT", to: "group", as: "Ctrl-C" },
    { signal: "SIGTERM", to: "npm", as: "a process manager" },
    { signal: "SIGHUP", to: "group", as: "a closed terminal" },
  ] as const;

  for (const { signal, to, as } of cases) {
    it(`stops everything it started on ${signal} to ${to === "group" ? "its process group" : "npm alone"} (${as})`, async () => {
      const port = await freePort();
      const { child, output } = start(port);
      const pid = child.pid as number;
      try {
        expect(await answering(port, 150_000), output()).toBe(true);
        // The cron triggers run locally as in production (wrangler dev fires none by itself).
        await expect.poll(output, { timeout: 15_000 }).toMatch(/Cron {6}"\* \* \* \* \*" every minute \(ran: 200\)/);
        const started = tree(pid);
        expect(started.length, "npm, the dev script, wrangler and workerd").toBeGreaterThanOrEqual(4);
        process.kill(to === "group" ? -pid : pid, signal);
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && (started.some(alive) || !(await portFree(port))))
          await new Promise((r) => setTimeout(r, 200));
        expect(started.filter(alive), output()).toEqual([]);
        expect(await portFree(port)).toBe(true);
      } finally {
        for (const p of tree(pid))
          try {
            process.kill(p, "SIGKILL");
          } catch {}
      }
    }, 180_000);
  }

  it("says which port is taken, and how to pick another, when it is", async () => {
    const port = await freePort();
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    try {
      const { child, output } = start(port);
      const code = await new Promise<number | null>((r) => child.once("exit", r));
      expect(code).not.toBe(0);
      expect(output()).toMatch(new RegExp(`Port ${port} is already in use.*PORT=`));
    } finally {
      server.close();
    }
  }, 60_000);
});
