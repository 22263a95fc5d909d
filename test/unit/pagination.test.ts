import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, FILTERED_SCAN_FACTOR, Page } from "../../src/db/keyset";

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

describe("a page cut from a bounded scan (Page.cut)", () => {
  const page = new Page({ direction: "desc", at: "createdAt" }, "/a", 2);
  const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 0, 0, s));
  const item = (id: number) => ({ id, createdAt: at(id) });
  const position = (cursor: string | undefined) => (cursor ? decodeCursor(cursor, "/a", true) : undefined);

  it("leads on from the last item shown when a next item was shown", () => {
    const { items, next } = page.cut([item(9), item(8), item(7)], { full: true, lastId: 3, lastAt: at(3) });
    expect(items.map((i) => i.id)).toEqual([9, 8]);
    expect(position(next)).toEqual({ at: at(8), id: 8 });
  });

  it("leads on from the last row READ when the scan read all it may and showed too few (even none)", () => {
    expect(position(page.cut([item(9)], { full: true, lastId: 2, lastAt: at(2) }).next)).toEqual({ at: at(2), id: 2 });
    const empty = page.cut([], { full: true, lastId: 5, lastAt: at(5) });
    expect(empty.items).toEqual([]);
    expect(position(empty.next)).toEqual({ at: at(5), id: 5 });
  });

  it("ends when the scan stopped short of its bound: the list has no more rows", () => {
    expect(page.cut([item(9)], { full: false, lastId: 4, lastAt: at(4) }).next).toBeUndefined();
    expect(page.cut([], { full: false, lastId: null, lastAt: null }).next).toBeUndefined();
  });

  it("reads at most FILTERED_SCAN_FACTOR × limit rows when it filters, limit + 1 when it does not", () => {
    expect(new Page(page.order, "/a", 20).scanRows(true)).toBe(FILTERED_SCAN_FACTOR * 20);
    expect(new Page(page.order, "/a", 20).scanRows(false)).toBe(21);
    expect(new Page(page.order, "/a", 1).scanRows(true)).toBeGreaterThanOrEqual(2);
  });
});
