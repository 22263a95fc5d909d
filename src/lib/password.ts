/**
 * Password hashing with WebCrypto PBKDF2-SHA256, a random 16-byte salt per password and the
 * parameters in the stored string, so the iteration count can be raised later:
 *   pbkdf2_sha256$<iterations>$<salt, base64>$<hash, base64>
 * Cloudflare rejects more than 100,000 iterations in production (workerd#1346).
 */
const encoder = new TextEncoder();
const HASH_BYTES = 32;

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations: number, salt?: Uint8Array): Promise<string> {
  const usedSalt = salt ?? crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, usedSalt, iterations);
  return `pbkdf2_sha256$${iterations}$${toBase64(usedSalt)}$${toBase64(hash)}`;
}

/** Constant-time comparison of two byte strings of equal length. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const parse = (stored: string) => {
  const [scheme, iterationsText, saltText, hashText] = stored.split("$");
  const iterations = Number(iterationsText);
  if (scheme !== "pbkdf2_sha256" || !Number.isInteger(iterations) || iterations < 1 || !saltText || !hashText)
    return undefined;
  return { iterations, salt: fromBase64(saltText), hash: fromBase64(hashText) };
};

/** The salt of the check against no user: fixed, and never the salt of a stored hash (those are random). */
const NO_USER_SALT = new Uint8Array(16);

/**
 * Checks a password against a stored hash, or against none (`stored` undefined: an unknown user),
 * and always costs PBKDF2 at `iterations` (the configured count), so that a wrong username, a
 * wrong password and a hash stored at fewer iterations all take the same time: a hash of fewer
 * iterations is padded with a derivation of the difference. Passwords are compared after NFC
 * normalisation; a hash stored before that rule is of the password as sent, so a password that
 * NFC changes is checked in both forms (always both: the cost depends on the input alone, never on
 * the user). `rehash` says the stored hash should be replaced by one of the NFC form at today's
 * parameters (store it after a successful login).
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
  iterations: number,
): Promise<{ valid: boolean; rehash: boolean }> {
  const normalized = password.normalize("NFC");
  const forms = normalized === password ? [normalized] : [normalized, password];
  const parsed = stored === undefined ? undefined : parse(stored);
  if (!parsed) {
    for (const form of forms) await derive(form, NO_USER_SALT, iterations);
    return { valid: false, rehash: false };
  }
  let matched: number | undefined;
  for (const [i, form] of forms.entries()) {
    const actual = await derive(form, parsed.salt, parsed.iterations);
    if (parsed.iterations < iterations) await derive(form, NO_USER_SALT, iterations - parsed.iterations);
    if (timingSafeEqual(actual, parsed.hash)) matched ??= i;
  }
  return { valid: matched !== undefined, rehash: matched === 1 || parsed.iterations !== iterations };
}
