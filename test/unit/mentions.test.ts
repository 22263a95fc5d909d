import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mentionedNames } from "../../src/lib/mentions";

describe("mentionedNames (the contract's mention grammar)", () => {
  it.each([
    ["@alice hi", ["alice"]],
    ["hi @Alice and @ALICE", ["alice"]],
    ["@Name's idea", ["name"]],
    ["mail@example.com", []],
    ["@@name", []],
    ["a@@name", []],
    ["(@bob), [@carol]; @dave.", ["bob", "carol", "dave"]],
    ["é@bob", []],
    ["1@bob _@bob", []],
    ["😀@bob", ["bob"]],
    ["@bob_1-rest", ["bob_1"]],
    ["@ab @abc", ["abc"]],
    [`@${"a".repeat(31)} @${"b".repeat(30)}`, ["b".repeat(30)]],
    ["@", []],
    ["line\n@eve\t@frank", ["eve", "frank"]],
    ["@zed @amy @zed", ["zed", "amy"]],
  ])("%j mentions %j", (content, names) => {
    expect(mentionedNames(content)).toEqual(names);
  });

  /** The grammar read character by character, as the contract states it: an independent oracle. */
  const oracle = (content: string) => {
    const chars = [...content];
    const out: string[] = [];
    for (let i = 0; i < chars.length; i++) {
      if (chars[i] !== "@") continue;
      const before = chars[i - 1];
      if (before !== undefined && /[\p{L}\p{N}_@]/u.test(before)) continue;
      let run = "";
      for (let j = i + 1; j < chars.length && /^[A-Za-z0-9_]$/.test(chars[j] as string); j++) run += chars[j];
      const name = run.toLowerCase();
      if (run.length >= 3 && run.length <= 30 && !out.includes(name)) out.push(name);
    }
    return out;
  };

  it("agrees with the character-by-character reading on any content (property)", () => {
    const piece = fc.oneof(
      fc.constantFrom("@", "@@", "a", "Z", "_", "9", ".", " ", "'", "é", "ß", "😀", "\n", "-", "Ab_1"),
      fc.string({ maxLength: 4 }),
      fc.stringMatching(/^[A-Za-z0-9_]{1,32}$/),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const content = pieces.join("");
        const names = mentionedNames(content);
        expect(names).toEqual(oracle(content));
        // Each name is lower case, once, and a username.
        expect(new Set(names).size).toBe(names.length);
        for (const n of names) expect(n).toMatch(/^[a-z0-9_]{3,30}$/);
      }),
      { numRuns: 2000 },
    );
  });
});
