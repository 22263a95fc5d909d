/**
 * Captures what this process prints (the Worker's console output reaches it: workerd → wrangler),
 * for tests that check the logs.
 */
export function captureOutput() {
  let captured = "";
  const originals = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
  };
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString();
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(originals.out) as typeof process.stdout.write;
  process.stderr.write = capture(originals.err) as typeof process.stderr.write;
  // Vitest routes console output of test workers around process.stdout: capture it there too.
  for (const level of ["log", "info", "warn", "error"] as const) {
    console[level] = (...args: unknown[]) => {
      captured += `${args.map(String).join(" ")}\n`;
      originals[level](...args);
    };
  }
  return {
    text: () => captured,
    restore: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
      for (const level of ["log", "info", "warn", "error"] as const) console[level] = originals[level];
    },
  };
}
