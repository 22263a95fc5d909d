import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/db/keyset";

describe("cursors", () => {
  it("round-trip positions with and without a timestamp", () => {
    const at = new Date("2026-11-26T13:44:22.123Z");
    expect(decodeCursor(encodeCursor("/a", { at, id: 42 }), "/a", true)).toEqual({ at, id: 42 });
    expect(decodeCursor(encodeCursor("/a", { id: 7 }), "/a", false)).toEqual({ id: 7 });
    expect(decodeCursor(undefined, "/a", true)).toBeUndefined();
  });

  it("reject tampered, foreign (another list's) and out-of-range cursors", () => {
    const bad = [
      "",
      "%%%",
      encodeCursor("/a", { id: 7 }).slice(1),
      Buffer.from('["/a", 0]').toString("base64url"),
      Buffer.from('["/a", 2147483648]').toString("base64url"),
      Buffer.from('{"id": 1}').toString("base64url"),
      Buffer.from("[7]").toString("base64url"),
      encodeCursor("/b", { id: 7 }),
    ];
    for (const cursor of bad) expect(() => decodeCursor(cursor, "/a", false), cursor).toThrow();
    // Timed cursors fail on the date itself, not on their shape: the same shape with a real date passes.
    const timed = (date: string) => Buffer.from(JSON.stringify(["/a", date, 1])).toString("base64url");
    expect(decodeCursor(timed("2026-11-26T13:44:22.123Z"), "/a", true)).toEqual({
      at: new Date("2026-11-26T13:44:22.123Z"),
      id: 1,
    });
    for (const date of ["yesterday", "2026-13-45T00:00:00.000Z", "2026-02-30T25:61:00.000Z", ""])
      expect(() => decodeCursor(timed(date), "/a", true), date).toThrow();
    expect(() => decodeCursor(encodeCursor("/a", { id: 7 }), "/a", true)).toThrow();
    expect(() => decodeCursor(encodeCursor("/a", { at: new Date(), id: 7 }), "/a", false)).toThrow();
  });
});
