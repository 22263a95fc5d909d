/**
 * Every limit of the API contract, defined once: the Drizzle schema's CHECK constraints, the zod
 * request schemas, the OpenAPI document and the statements all read them from here.
 */

/** Ids are positive integers in the 32-bit range (Postgres `integer`). */
export const INT32_MAX = 2_147_483_647;

/**
 * A number in a path or query: plain decimal, no sign, no leading zero (`01` and `0100` are not
 * numbers here, so one value has one spelling), at most 10 digits (the range is checked after).
 */
export const PLAIN_DECIMAL = /^[1-9][0-9]{0,9}$/;

/** username: 3–30 characters of A-Z a-z 0-9 _ (a regular expression source, valid in JS and Postgres). */
export const USERNAME_PATTERN = "^[A-Za-z0-9_]{3,30}$";
export const USERNAME_RULE = "username must be 3-30 characters of A-Z, a-z, 0-9 and _";

/** password: 8–128 characters (code points). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Tweet content: at most 280 code points after NFC normalisation, not blank. */
export const MAX_TWEET_LENGTH = 280;

/** Idempotency-Key: 1–64 printable ASCII characters (a regular expression source for JS and Postgres). */
export const IDEMPOTENCY_KEY_PATTERN = "^[\\x20-\\x7E]{1,64}$";

/** Request bodies: at most 16 KiB. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Lists: `?limit=` 1..100, default 20. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Search: `q` at most 512 characters. */
export const MAX_QUERY_LENGTH = 512;

/** Conversations: at most 100 ancestors; descendants at most 200 tweets and 20 levels deep. */
export const MAX_ANCESTORS = 100;
export const MAX_DESCENDANTS = 200;
export const MAX_DESCENDANT_DEPTH = 20;

/** Home timeline: at least the newest 800 entries stay reachable; a new follow brings the followee's 100 newest. */
export const TIMELINE_KEEP = 800;
export const FOLLOW_BACKFILL = 100;

/**
 * The most followers an account may have and still be fanned out: an account with more is merged
 * into its followers' timelines at read time instead (the default of FANOUT_MAX_FOLLOWERS). Set
 * from the bench's fan-out delay (README, Benchmarks, "The fan-out"): the largest count whose
 * fan-out stays within the contract's 5 seconds with a margin.
 */
export const DEFAULT_FANOUT_MAX_FOLLOWERS = 20_000;

/** Notifications: `unread_count` stops counting here (more gives this). */
export const UNREAD_COUNT_CAP = 1_000;
