import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { MAX_PBKDF2_ITERATIONS, parseConfig } from "../../src/env";
import { hashPassword, verifyPassword } from "../../src/lib/password";

describe("password hashing (PBKDF2-SHA256)", () => {
  it("never configures more than 100,000 iterations: Cloudflare rejects more in production (workerd#1346)", () => {
    expect(MAX_PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    const toml = readFileSync(join(import.meta.dirname, "../../wrangler.toml"), "utf8");
    const configured = [...toml.matchAll(/PBKDF2_ITERATIONS\s*=\s*"(\d+)"/g)].map((m) => Number(m[1]));
    expect(configured.length).toBeGreaterThan(0);
    for (const n of configured) expect(n).toBeLessThanOrEqual(100_000);
    const loaded = parseConfig({});
    expect(loaded.ok && loaded.config.pbkdf2Iterations).toBeLessThanOrEqual(100_000);
    expect(parseConfig({ PBKDF2_ITERATIONS: "100001" })).toEqual({ ok: false, invalid: ["PBKDF2_ITERATIONS"] });
  });

  it("hashes with a random salt and the parameters in the string, and verifies", async () => {
    const a = await hashPassword("correct horse", 1000);
    const b = await hashPassword("correct horse", 1000);
    expect(a).toMatch(/^pbkdf2_sha256\$1000\$[^$]+\$[^$]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a, 1000)).toEqual({ valid: true, rehash: false });
    expect(await verifyPassword("correct horsf", a, 1000)).toEqual({ valid: false, rehash: false });
    expect(await verifyPassword("correct horse", "md5$1$x$y", 1000)).toEqual({ valid: false, rehash: false });
    expect(await verifyPassword("correct horse", undefined, 1000)).toEqual({ valid: false, rehash: false });
    // A hash of other parameters verifies and asks to be replaced.
    expect(await verifyPassword("correct horse", a, 2000)).toEqual({ valid: true, rehash: true });
  });

  it("compares after NFC; a hash stored from a non-NFC password still verifies, and asks to be replaced", async () => {
    const nfd = "pass\u0065\u0301word"; // é decomposed
    const nfc = nfd.normalize("NFC");
    const fromNfc = await hashPassword(nfc, 1000);
    expect(await verifyPassword(nfd, fromNfc, 1000)).toEqual({ valid: true, rehash: false });
    expect(await verifyPassword(nfc, fromNfc, 1000)).toEqual({ valid: true, rehash: false });
    // Stored before the rule, from the decomposed form as sent: that form still logs in.
    const fromNfd = await hashPassword(nfd, 1000);
    expect(await verifyPassword(nfd, fromNfd, 1000)).toEqual({ valid: true, rehash: true });
    expect(await verifyPassword("passeword", fromNfd, 1000)).toEqual({ valid: false, rehash: false });
  });

  it("costs the same PBKDF2 iterations for a wrong password, an unknown user and a hash stored at fewer iterations", async () => {
    // The work is counted, not timed: a spy on WebCrypto's deriveBits (the real one runs) adds up
    // the iterations of every derivation a check makes.
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    const iterationsOf = async (password: string, stored: string | undefined) => {
      derive.mockClear();
      await verifyPassword(password, stored, 2000);
      return derive.mock.calls.reduce((sum, [params]) => sum + (params as { iterations: number }).iterations, 0);
    };
    try {
      const today = await hashPassword("correct horse", 2000);
      const older = await hashPassword("correct horse", 200);
      const nfd = "pass\u0065\u0301word";
      for (const password of ["wrong", "correct horse"]) {
        expect(await iterationsOf(password, today)).toBe(2000);
        expect(await iterationsOf(password, undefined)).toBe(2000);
        expect(await iterationsOf(password, older)).toBe(2000);
        expect(await iterationsOf(password, "md5$1$x$y")).toBe(2000);
      }
      // A password that NFC changes is checked in both forms, whoever the user is.
      for (const stored of [today, undefined, older]) expect(await iterationsOf(nfd, stored)).toBe(4000);
    } finally {
      derive.mockRestore();
    }
  });
});
