import { describe, expect, it } from "vitest";
import { MAX_TWEET_LENGTH } from "../../src/lib/limits";
import { contentProblem, normalizeContent, passwordKeepsRule } from "../../src/lib/text";
import { NewTweet } from "../../src/routes/tweets/tweets.schemas";

const ok = (content: string) => contentProblem(normalizeContent(content)) === undefined;

describe("the content rule (one rule: zod and the OpenAPI pattern)", () => {
  it("needs at least one visible character: whitespace, zero-width, format characters, fillers alone are refused", () => {
    for (const invisible of [
      "\u200b", // zero-width space
      "\u200d", // zero-width joiner
      "\u3164", // Hangul filler
      "\uffa0", // halfwidth Hangul filler
      "\u2800", // braille pattern blank
      "\u00ad", // soft hyphen
      "\u0301", // a lone combining mark
      "\ufe0f", // a variation selector
      "\u202e", // right-to-left override
      " \t\n\u3000\u2028",
      "\u200b \u200d\u00ad",
    ])
      expect(ok(invisible), JSON.stringify(invisible)).toBe(false);
  });

  it("allows no control character (Cc) but line feed and tab; format characters (Cf) are text", () => {
    for (const bad of ["\u0001\u0002", "hi\u0000", "\u001b[31mred\u001b[0m", "a\r\nb", "a\u007fb", "a\u0085b"])
      expect(ok(bad), JSON.stringify(bad)).toBe(false);
    for (const good of ["a\tb\nc", "abc\u202edef", "👨\u200d👩\u200d👧", "e\u0301", "Hello world", "\u00a0x"])
      expect(ok(good), JSON.stringify(good)).toBe(true);
  });

  it("counts code points after NFC and refuses lone surrogates", () => {
    expect(ok("x".repeat(MAX_TWEET_LENGTH))).toBe(true);
    expect(ok("x".repeat(MAX_TWEET_LENGTH + 1))).toBe(false);
    expect(ok("e\u0301".repeat(MAX_TWEET_LENGTH))).toBe(true); // 560 code points sent, 280 after NFC
    expect(ok("😀".repeat(MAX_TWEET_LENGTH))).toBe(true);
    expect(ok("x\ud800")).toBe(false);
    expect(NewTweet.safeParse({ content: "e\u0301" }).data?.content).toBe("\u00e9");
    expect(NewTweet.safeParse({ content: "\u200b" }).success).toBe(false);
  });
});

describe("the password rule", () => {
  it("8-128 code points of valid Unicode", () => {
    expect(passwordKeepsRule("password")).toBe(true);
    expect(passwordKeepsRule("passwor")).toBe(false);
    expect(passwordKeepsRule("password\ud800")).toBe(false);
    expect(passwordKeepsRule("password\udfff")).toBe(false);
    expect(passwordKeepsRule("😀".repeat(128))).toBe(true);
  });
});
