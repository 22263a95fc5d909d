/**
 * The text rules of the contract, defined once for the zod schemas (which enforce them) and the
 * OpenAPI document (which states them as `pattern` and `maxLength`).
 */
import { MAX_TWEET_LENGTH, PASSWORD_MAX, PASSWORD_MIN } from "./limits";

/**
 * A character allowed anywhere in content: anything but a control character (general category
 * Cc: NUL, ESC of ANSI escapes, CR, DEL, C1 …) other than line feed and tab, and but a lone
 * surrogate (Cs: not Unicode). Format characters (Cf: ZWJ, soft hyphen, bidi controls such as
 * U+202E) are allowed: the contract forbids "control characters", which Unicode defines as Cc;
 * Cf characters are needed in ordinary text (ZWJ in emoji sequences, bidi marks in Arabic or
 * Hebrew), and clients render them as text. They cannot make a tweet on their own (see VISIBLE).
 */
const ALLOWED = String.raw`[^\p{Cc}\p{Cs}]|[\t\n]`;

/**
 * A visible character: not whitespace, not a control or format character, not a combining mark
 * (which shows only on a base character), not a default-ignorable code point (zero-width
 * characters, variation selectors, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0) and not
 * the blank braille pattern U+2800, which every font draws as nothing.
 */
const VISIBLE = String.raw`[^\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{M}\p{Default_Ignorable_Code_Point}\u2800]`;

/**
 * Content (after NFC normalisation): allowed characters only, at least one of them visible. An
 * ECMAScript regular expression with the `u` flag, as JSON Schema's `pattern` is.
 */
export const CONTENT_PATTERN = `^(?:${ALLOWED})*${VISIBLE}(?:${ALLOWED})*$`;
const contentPattern = new RegExp(CONTENT_PATTERN, "u");

export const CONTENT_RULE =
  `content must have at least one visible character, no control characters other than line feed and tab, ` +
  `and at most ${MAX_TWEET_LENGTH} characters (Unicode code points after NFC normalisation)`;

/** Content as stored: NFC-normalised, otherwise as sent. */
export const normalizeContent = (content: string) => content.normalize("NFC");

/** Why normalised content breaks the rule, or undefined when it keeps it. */
export function contentProblem(normalized: string): string | undefined {
  if ([...normalized].length > MAX_TWEET_LENGTH) return `content must be at most ${MAX_TWEET_LENGTH} characters`;
  if (!contentPattern.test(normalized)) return CONTENT_RULE;
  return undefined;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** Whether a string is valid Unicode (no lone surrogate: JSON's `\ud800` escapes can make one). */
export const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

export const PASSWORD_RULE = `password must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters of valid Unicode`;

/** Passwords are compared after NFC normalisation: the form hashed and checked first. */
export const normalizePassword = (password: string) => password.normalize("NFC");

/** Whether a (normalised) password keeps the rule: valid Unicode, 8-128 code points. */
export function passwordKeepsRule(normalized: string): boolean {
  const length = [...normalized].length;
  return isWellFormed(normalized) && length >= PASSWORD_MIN && length <= PASSWORD_MAX;
}
