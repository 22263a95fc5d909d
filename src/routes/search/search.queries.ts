import { and, type SQL, sql } from "drizzle-orm";
import type { Page } from "../../db/keyset";
import { tweets, users } from "../../db/schema";
import { callerOk, selectWithFlags } from "../../db/sql";
import { visibleTweets } from "../../models/tweet";
import type { Caller, Db } from "../../types";
import type { SearchQuery, Term } from "./search.parser";

/**
 * The search tree (search.parser.ts) as SQL. Words, phrases and hashtags become one `tsquery`
 * combined with tsquery's own operators (`&&`, `||`, `!!`), which drop the parts that reduce to
 * nothing (stop words, punctuation): `the cat` searches `cat`. Words and phrases are stemmed
 * (English); a hashtag is matched as the lexeme `#tag` of the document's hashtag part (schema.ts),
 * so `#cat` finds that hashtag exactly, and not the plain word nor `#cat_food`. `from:` is a filter on the author. Every
 * piece of text is a parameter.
 */
const textQuery = (term: Exclude<Term, { kind: "from" }>): SQL => {
  const query =
    term.kind === "words"
      ? sql`plainto_tsquery('english', ${term.text})`
      : term.kind === "phrase"
        ? sql`phraseto_tsquery('english', ${term.text})`
        : // The hashtag lexeme exactly as the document stores it (schema.ts): a cast, not to_tsquery,
          // so no parser splits it at `_` (`#a` must not find `#a_b`). The tag is letters, digits
          // and `_` only (the parser's rule): safe inside tsquery quotes.
          sql`${`'#${term.tag}'`}::tsquery`;
  return term.negated ? sql`(!! ${query})` : query;
};

/**
 * `from:name` is the author's id, found by the case-insensitive username index. A bare equality,
 * so that the planner can read the author's tweets by their index (an unknown name gives NULL:
 * nothing matches); `-from:name` keeps every tweet not by that author (also when it is unknown).
 */
const fromFilter = (term: Extract<Term, { kind: "from" }>): SQL => {
  const author = sql`(SELECT ${users.id} FROM ${users} WHERE lower(${users.username}) = lower(${term.username}))`;
  return term.negated ? sql`${tweets.userId} IS DISTINCT FROM ${author}` : sql`${tweets.userId} = ${author}`;
};

const anyOf = (parts: SQL[], operator: "||" | "OR") => sql.join(parts, sql.raw(` ${operator} `));

/** The WHERE condition of a search. */
export function searchCondition(query: SearchQuery): SQL {
  const texts: SQL[] = [];
  const filters: SQL[] = [];
  for (const group of query) {
    const words = group.flatMap((t) => (t.kind === "from" ? [] : [textQuery(t)]));
    const authors = group.flatMap((t) => (t.kind === "from" ? [fromFilter(t)] : []));
    if (authors.length === 0) texts.push(sql`(${anyOf(words, "||")})`);
    else if (words.length === 0) filters.push(sql`(${anyOf(authors, "OR")})`);
    else {
      const q = sql`(${anyOf(words, "||")})`;
      filters.push(sql`((numnode(${q}) > 0 AND ${tweets.search} @@ ${q}) OR ${anyOf(authors, "OR")})`);
    }
  }
  if (texts.length === 0) return and(...filters) ?? sql`false`;
  const all = sql.join(texts, sql.raw(" && "));
  // Only stop words or punctuation: with an author filter they are ignored; alone they match nothing.
  const text =
    filters.length > 0
      ? sql`(numnode(${all}) = 0 OR ${tweets.search} @@ (${all}))`
      : sql`(numnode(${all}) > 0 AND ${tweets.search} @@ (${all}))`;
  return and(text, ...filters) ?? text;
}

/** GET /tweets/search: newest first, keyset pages. */
export const search = (caller: Caller | undefined, query: SearchQuery, page: Page) => (db: Db) => {
  const { scan, list, flags } = visibleTweets(db, caller, page, searchCondition(query));
  return selectWithFlags(db, { callerOk: callerOk(caller), ...flags }, list, { order: page, withs: [scan] });
};
