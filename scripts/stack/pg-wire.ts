/**
 * Just enough of the Postgres wire protocol (frontend side) to watch a connection: message types,
 * split or joined across chunks as TCP delivers them.
 */

/** The type of an untyped startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest). */
export const STARTUP = "@";

/**
 * Follows the frontend (client → server) message stream across chunks and returns the type bytes
 * of the messages completed by each chunk ('Q' query, 'E' execute, 'S' sync, 'X' terminate, …;
 * STARTUP for untyped startup packets).
 */
export function frontendMessages() {
  let startup = true;
  let pending = Buffer.alloc(0);
  return (chunk: Buffer): string[] => {
    pending = Buffer.concat([pending, chunk]);
    const types: string[] = [];
    for (;;) {
      if (startup) {
        if (pending.length < 4) return types;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return types;
        const code = length >= 8 ? pending.readInt32BE(4) : 0;
        pending = pending.subarray(length);
        types.push(STARTUP);
        // SSLRequest / GSSENCRequest are followed by another untyped startup message.
        if (code !== 80877103 && code !== 80877104) startup = false;
        continue;
      }
      if (pending.length < 5) return types;
      const type = String.fromCharCode(pending[0] as number);
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return types;
      pending = pending.subarray(1 + length);
      types.push(type);
    }
  };
}

/** A statement: a simple Query or an extended-protocol Execute. */
export const isStatement = (type: string) => type === "Q" || type === "E";

/**
 * Messages after which the client waits for the server: each is one round trip (messages sent
 * together without waiting, like Parse/Bind/Execute before their Sync, share the Sync's).
 */
export const awaitsAnswer = (type: string) =>
  type === STARTUP || type === "p" || type === "S" || type === "Q" || type === "H" || type === "F";

/**
 * Counts round trips on one connection: a message the client waits on (awaitsAnswer) starts a
 * round trip, unless the client is already waiting for the server (messages of one flight, like
 * Flush then Sync, share it); anything from the server ends the wait.
 */
export function roundTripCounter() {
  let waiting = false;
  return {
    /** The client sent these messages; returns how many round trips they start (0 or 1). */
    client(types: string[]): number {
      if (waiting || !types.some(awaitsAnswer)) return 0;
      waiting = true;
      return 1;
    },
    server(): void {
      waiting = false;
    },
  };
}
