import { openConnection } from "../db/connection";
import { send } from "../db/run";
import { loadConfig } from "../env";
import { log } from "../lib/log";
import type { Bindings } from "../types";
import { FANOUT_CHUNK, type FanoutPosition, fanoutChunk, staleOutbox } from "./fanout.queries";

/**
 * The home timeline's write path, off the request path (README: "The home timeline").
 *
 * POST /tweets writes the tweet and, when its author has followers whose timelines take it, an
 * outbox row (`fanout_outbox`), in one statement; then, after the response, it sends a message to
 * the fan-out queue. POST /users/{id}/reposts does the same for a new repost: the repost and its
 * outbox row (`repost_fanout_outbox`, keyed by the repost and going with it: an unrepost, or the
 * deletion of the tweet or of the reposter, removes it) in one statement, then the message
 * `{tweetId, repostedBy}`. The consumer (this Worker's `queue` handler) writes the tweet into the
 * followers' home timelines FANOUT_CHUNK followers per statement, chunk after chunk (a delivery
 * that runs long hands the rest to a new message), and the last chunk deletes the outbox row. A
 * failed statement is retried by the queue (with backoff); every step is idempotent. A message that
 * never arrives is re-sent by the scheduled sweep of both outboxes, so no fan-out, of a tweet or of
 * a repost, is lost.
 */
export type FanoutMessage = {
  tweetId: number;
  /** A repost's fan-out: the reposting user (the source whose followers get the entry). */
  repostedBy?: number;
  authorId?: number;
  after?: { at: string; id: number };
};

/** How long one delivery writes chunks before handing the rest to a new message. */
const DELIVERY_BUDGET_MS = 10_000;

/** An outbox row older than this is considered lost and re-sent by the sweep. */
const SWEEP_AFTER_SECONDS = 30;
const SWEEP_BATCH = 500;

/**
 * Sends a new tweet's (or, with `repostedBy`, a new repost's) fan-out message after the response
 * (`waitUntil`). Either has its outbox row from its own statement: a message lost here is re-sent
 * by the sweep.
 */
export function enqueueFanout(
  queue: Queue<FanoutMessage>,
  waitUntil: (promise: Promise<unknown>) => void,
  tweetId: number,
  requestId: string,
  repostedBy?: number,
) {
  const message: FanoutMessage = repostedBy === undefined ? { tweetId } : { tweetId, repostedBy };
  const sent = queue.send(message).catch((error: unknown) =>
    // The outbox row stays: the sweep sends it again.
    log("warn", "fan-out message not sent", { request_id: requestId, tweet_id: tweetId, error: String(error) }),
  );
  waitUntil(sent);
}

/** The message of an outbox row: a tweet's fan-out, or a repost's (`repostedBy`). */
const outboxMessage = (row: { tweetId: number; repostedBy: number | null }): FanoutMessage =>
  row.repostedBy === null ? { tweetId: row.tweetId } : { tweetId: row.tweetId, repostedBy: row.repostedBy };

const positionOf = (m: FanoutMessage): FanoutPosition => ({
  authorId: m.authorId,
  after: m.after ? { at: new Date(m.after.at), id: m.after.id } : undefined,
});

/** The queue consumer: each message's chunks, a statement each; what a long fan-out leaves goes on as a new message. */
export async function consumeFanout(batch: MessageBatch<FanoutMessage>, env: Bindings): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    log("error", "invalid configuration", { settings: loaded.invalid });
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  const connection = await openConnection(loaded.config, env);
  try {
    // The batch's fan-outs run side by side (each its own chain of chunks).
    const deliver = async (message: Message<FanoutMessage>) => {
      try {
        // Chunk after chunk within this delivery (a statement each), for up to DELIVERY_BUDGET_MS;
        // whatever remains goes on as a new message from where this one stopped.
        const started = Date.now();
        let from = positionOf(message.body);
        for (;;) {
          const [r] = await send(connection, fanoutChunk(message.body.tweetId, from, message.body.repostedBy));
          if (!r || r.covered < FANOUT_CHUNK || !r.lastFollowedAt || r.lastFollowerId === null || r.authorId === null)
            break;
          from = { authorId: r.authorId, after: { at: r.lastFollowedAt, id: r.lastFollowerId } };
          if (Date.now() - started > DELIVERY_BUDGET_MS) {
            await env.FANOUT_QUEUE.send({
              tweetId: message.body.tweetId,
              repostedBy: message.body.repostedBy,
              authorId: r.authorId,
              after: { at: r.lastFollowedAt.toISOString(), id: r.lastFollowerId },
            } satisfies FanoutMessage);
            break;
          }
        }
        message.ack();
      } catch (error) {
        log("warn", "fan-out chunk failed; the queue retries it", {
          tweet_id: message.body.tweetId,
          attempt: message.attempts,
          error: error instanceof Error ? error.name : "unknown",
        });
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    };
    await Promise.all(batch.messages.map(deliver));
  } finally {
    await connection.close().catch(() => {});
  }
}

/** The scheduled sweep: re-sends fan-outs (of tweets and of reposts) whose outbox row is older than SWEEP_AFTER_SECONDS. */
export async function sweepOutbox(env: Bindings): Promise<number> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return 0;
  const connection = await openConnection(loaded.config, env);
  try {
    const stale = await send(connection, staleOutbox(SWEEP_AFTER_SECONDS, SWEEP_BATCH));
    for (let i = 0; i < stale.length; i += 100) {
      await env.FANOUT_QUEUE.sendBatch(stale.slice(i, i + 100).map((row) => ({ body: outboxMessage(row) })));
    }
    if (stale.length) log("warn", "re-sent fan-outs from the outbox", { count: stale.length });
    return stale.length;
  } finally {
    await connection.close().catch(() => {});
  }
}
