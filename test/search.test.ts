import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { api, expectProblem, newTweet, newUser, type TestUser, walk } from "./helpers";

/** A word no other test writes, so that each search here sees only this file's tweets. */
const tag = `q${randomBytes(5).toString("hex")}`;
const search = (q: string, token?: string) => api(`/tweets/search?q=${encodeURIComponent(q)}`, { token });
const ids = (res: { json: { id: number }[] }) => res.json.map((t) => t.id).sort((a, b) => a - b);
const asc = (...xs: (number | undefined)[]) => xs.map(Number).sort((a, b) => a - b);

let author: TestUser;
let other: TestUser;
const t: Record<string, number> = {};

beforeAll(async () => {
  author = await newUser("Searcher");
  other = await newUser("other");
  const post = async (key: string, content: string, by = author) => {
    t[key] = (await newTweet(by, `${tag} ${content}`)).id;
  };
  await post("runs", "she runs every morning");
  await post("running", "running late again");
  await post("quick", "the quick brown fox");
  await post("brownQuick", "brown and quick, not a fox");
  await post("hashtag", "loving #serverless today");
  await post("plain", "serverless is a word here");
  await post("coffee", "coffee first");
  await post("tea", "tea first");
  await post("both", "coffee and tea");
  await post("others", "written by someone else about coffee", other);
  await post("tagExact", `#${tag}_zq1 hello`);
  await post("tagLonger", `#${tag}_zq1_2025 hello`);
  await post("tagTwo", `#${tag}_zq1 #extra hello`);
  await post("deleted", "this one will be deleted: ephemeral");
  await api(`/tweets/${t.deleted}`, { method: "DELETE", token: author.token });
});

describe("GET /tweets/search", () => {
  it("words: all must match, case-insensitive, with English stemming (running finds runs)", async () => {
    expect(ids(await search(`${tag} RUNNING`))).toEqual(asc(t.runs, t.running));
    expect(ids(await search(`${tag} quick brown`))).toEqual(asc(t.quick, t.brownQuick));
  });

  it('"an exact phrase", -word, OR', async () => {
    expect(ids(await search(`${tag} "quick brown"`))).toEqual([t.quick]);
    expect(ids(await search(`${tag} coffee -tea`))).toEqual(asc(t.coffee, t.others));
    expect(ids(await search(`${tag} coffee OR tea`))).toEqual(asc(t.coffee, t.tea, t.both, t.others));
    expect(ids(await search(`${tag} first -coffee`))).toEqual([t.tea]);
  });

  it("#hashtag matches the hashtag, not the same plain word; the plain word matches both", async () => {
    expect(ids(await search(`${tag} #serverless`))).toEqual([t.hashtag]);
    expect(ids(await search(`${tag} #SERVERLESS`))).toEqual([t.hashtag]);
    expect(ids(await search(`${tag} serverless`))).toEqual(asc(t.hashtag, t.plain));
    expect(ids(await search(`${tag} -#serverless serverless`))).toEqual([t.plain]);
  });

  it("#hashtag is that hashtag exactly: #a does not find #a_b, and #a_b is one hashtag, not two words", async () => {
    const zq1 = `#${tag}_zq1`;
    expect(ids(await search(zq1))).toEqual(asc(t.tagExact, t.tagTwo));
    expect(ids(await search(zq1.toUpperCase()))).toEqual(asc(t.tagExact, t.tagTwo));
    expect(ids(await search(`${zq1}_2025`))).toEqual([t.tagLonger]);
    expect((await search(`${zq1}_extra`)).json).toEqual([]);
    expect(ids(await search(`${tag} hello -${zq1}`))).toEqual([t.tagLonger]);
  });

  it("from:username is that author, case-insensitive; a name nobody has matches nothing", async () => {
    expect(ids(await search(`${tag} coffee from:${author.username.toUpperCase()}`))).toEqual(asc(t.coffee, t.both));
    expect(ids(await search(`from:${other.username}`))).toEqual([t.others]);
    expect(ids(await search(`${tag} coffee -from:${other.username}`))).toEqual(asc(t.coffee, t.both));
    expect((await search("from:nobody_has_this_name")).json).toEqual([]);
  });

  it("newest first, keyset pages; a new tweet is found by the next search, a deleted one never", async () => {
    const { items } = await walk(`/tweets/search?q=${tag}&limit=3`);
    const times = items.map((x) => Date.parse(x.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(items.map((x) => x.id)).not.toContain(t.deleted);
    expect((await search(`${tag} ephemeral`)).json).toEqual([]);
    const fresh = await newTweet(author, `${tag} brand new zebra`);
    expect(ids(await search(`${tag} zebra`))).toEqual([fresh.id]);
    expect((await search(`${tag} zebra`, author.token)).json[0]).toMatchObject({ id: fresh.id, liked: false });
  });

  it("400 when q is missing, blank or longer than 512 characters; 512 is fine", async () => {
    for (const path of ["/tweets/search", "/tweets/search?q=", "/tweets/search?q=%20%20%09"]) {
      expect(expectProblem(await api(path), 400).errors?.[0]?.path).toBe("q");
    }
    expectProblem(await search("a".repeat(513)), 400);
    expect((await search("a".repeat(512))).status).toBe(200);
    expect((await search("😀".repeat(512))).status).toBe(200);
    expectProblem(await api("/tweets/search?q=x&limit=0"), 400);
    expectProblem(await api("/tweets/search?q=x&cursor=bad!"), 400);
  });

  it("anything a person can type is a 200 list: stray quotes, operators, emoji, SQL", async () => {
    for (const q of [
      '"',
      '"unclosed phrase',
      "&|!:*()",
      "a & b | !c",
      "'; DROP TABLE tweets; --",
      "🙂 🎉",
      "#",
      "-",
      "OR",
      "from:",
      "-from:",
      "#-#",
      "\\",
      "<->",
      "a:*",
      // What Postgres cannot take in a text value (NUL) never reaches it as an error.
      "a\u0000b",
      "from:\u0000",
      "#a\u0000",
      "\u0000",
      `${tag} \u0000coffee -tea`,
    ]) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
      expect(Array.isArray(res.json), q).toBe(true);
    }
  });
});

describe("search with arbitrary input (fast-check)", () => {
  it("never answers 5xx and never finds a deleted tweet", async () => {
    const deletedWords = ["this", "one", "will", "be", "deleted", "ephemeral", tag];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 80 }),
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
          fc
            .array(
              fc.oneof(
                fc.constantFrom(...deletedWords, "OR", "-", '"', "#", "from:", "&", "|", "!", ":*", "(", ")"),
                fc.string({ maxLength: 8 }),
              ),
              { minLength: 1, maxLength: 8 },
            )
            .map((parts) => parts.join(" ")),
        ),
        async (q) => {
          const res = await search(q);
          if (q.trim().length === 0 || [...q].length > 512) {
            expect(res.status).toBe(400);
            return;
          }
          expect(res.status, `${JSON.stringify(q)}: ${res.text}`).toBe(200);
          expect(res.json.map((x: { id: number }) => x.id)).not.toContain(t.deleted);
        },
      ),
      { numRuns: 150 },
    );
  });
});
