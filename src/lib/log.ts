/**
 * Structured JSON logs, one line per event, always with the request id. Only fields chosen here
 * are logged: never bodies, headers, tokens, passwords, hashes, setting values or driver messages
 * (which quote SQL parameters).
 */
export function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown>) {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
