/**
 * What people type into a search box, parsed into a small boolean tree:
 *
 *   q      := group (space group)*          every group must match
 *   group  := term (space "OR" space term)* any term of a group may match
 *   term   := "-"? ( '"' phrase '"' | "#" tag | "from:" username | word )
 *
 * Anything else a person can type — stray or unbalanced quotes, `&|!:*()`, emoji, SQL — is just
 * text: it becomes words (which Postgres reduces to lexemes, or to nothing), never an error. The
 * tree is turned into SQL with every piece of text as a parameter (search.queries.ts).
 */
export type Term =
  | { kind: "words"; text: string; negated: boolean }
  | { kind: "phrase"; text: string; negated: boolean }
  | { kind: "hashtag"; tag: string; negated: boolean }
  | { kind: "from"; username: string; negated: boolean };

export type SearchQuery = Term[][];

/** A hashtag: `#` and letters, digits or `_` (Unicode letters too, as Postgres' `\w` in the stored document). */
const HASHTAG = /^#([\p{L}\p{N}_]+)$/u;
const FROM = /^from:(\S+)$/i;

/** Splits into tokens: quoted phrases (a missing closing quote ends at the end) and runs of non-space. */
function tokenize(q: string): { text: string; quoted: boolean; negated: boolean }[] {
  const tokens: { text: string; quoted: boolean; negated: boolean }[] = [];
  let i = 0;
  while (i < q.length) {
    while (i < q.length && /\s/u.test(q[i] as string)) i++;
    if (i >= q.length) break;
    let negated = false;
    if (q[i] === "-" && i + 1 < q.length && !/\s/u.test(q[i + 1] as string)) {
      negated = true;
      i++;
    }
    if (q[i] === '"') {
      const end = q.indexOf('"', i + 1);
      const stop = end === -1 ? q.length : end;
      tokens.push({ text: q.slice(i + 1, stop), quoted: true, negated });
      i = stop + 1;
      continue;
    }
    let j = i;
    while (j < q.length && !/\s/u.test(q[j] as string) && q[j] !== '"') j++;
    tokens.push({ text: q.slice(i, j), quoted: false, negated });
    i = j;
  }
  return tokens;
}

function termOf(token: { text: string; quoted: boolean; negated: boolean }): Term {
  const { text, negated } = token;
  if (token.quoted) return { kind: "phrase", text, negated };
  const hashtag = HASHTAG.exec(text);
  if (hashtag?.[1]) return { kind: "hashtag", tag: hashtag[1].toLowerCase(), negated };
  const from = FROM.exec(text);
  if (from?.[1]) return { kind: "from", username: from[1], negated };
  return { kind: "words", text, negated };
}

/**
 * What Postgres cannot take in a text value: NUL, and a lone surrogate (not Unicode, it has no
 * UTF-8 form). They separate words, as a space does, rather than reach the database, which would
 * refuse the statement ("A value is out of range or malformed", a 400 the contract does not allow).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this matches.
const UNSENDABLE = /[\u0000\p{Cs}]/gu;

export function parseSearch(q: string): SearchQuery {
  const groups: Term[][] = [];
  let joinNext = false;
  for (const token of tokenize(q.replace(UNSENDABLE, " "))) {
    if (!token.quoted && !token.negated && token.text === "OR") {
      joinNext = groups.length > 0;
      continue;
    }
    const term = termOf(token);
    const last = groups.at(-1);
    if (joinNext && last) last.push(term);
    else groups.push([term]);
    joinNext = false;
  }
  return groups;
}
