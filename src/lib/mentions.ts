import { USERNAME_PATTERN } from "./limits";

/**
 * The mention grammar of the contract, defined once: `@` at the start of the content or after a
 * character that is not a letter, digit, `_` or `@`, followed by the longest run of
 * `A-Z a-z 0-9 _` after it. `mail@example.com` and `@@name` mention nobody; `@Name's` names `name`.
 */
const MENTION = /(?<![\p{L}\p{N}_@])@([A-Za-z0-9_]+)/gu;

const USERNAME = new RegExp(USERNAME_PATTERN);

/** At most this many distinct users named in one tweet count (the first ones). */
export const MAX_MENTIONS = 10;

/**
 * The distinct names a content mentions, lower-cased, in order of first appearance. Which of them
 * name existing users (and so which first MAX_MENTIONS count) is for the database to say: the
 * statement resolves these names in this order. A run that cannot be a username (too short or too
 * long) names nobody and is left out.
 */
export function mentionedNames(content: string): string[] {
  const names = new Set<string>();
  for (const match of content.matchAll(MENTION)) {
    const name = (match[1] as string).toLowerCase();
    if (USERNAME.test(name)) names.add(name);
  }
  return [...names];
}
