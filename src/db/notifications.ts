import { and, type Column, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../types";
import { NOTIFICATION_TYPES, type NotificationType, notifications, tweets, users } from "./schema";
import { eitherBlocks, muting } from "./sql";

/**
 * Writing notifications, in one place: the statement of an action adds its notifications with
 * `notify` (a CTE of that statement, so they are there by the recipient's next read) and the
 * statement that undoes it removes them with `unnotify`. Deleting a tweet or an account removes
 * theirs by the foreign keys' cascades (`tweet_id`, `actor_id`, `recipient_id`).
 *
 * Lock order: inserting a notification takes FOR KEY SHARE on the recipient's `users` row (its
 * foreign key, checked at the end of the statement). A statement that also locks a tweet row must
 * take the recipient's row FOR KEY SHARE itself first, in a CTE, in the global order (the caller's
 * row, then other users by id, then tweets: README, "Exact counts"), or it would wait for a user
 * row while holding a tweet row that an account deletion (user row first, then its tweets) waits for.
 */

/**
 * A notification type as an SQL literal from the enum list, never a parameter: a one-message
 * transaction (src/db/drivers/one-message.ts) inlines only numbers.
 */
export const typeLiteral = (type: NotificationType) => {
  if (!NOTIFICATION_TYPES.includes(type)) throw new Error(`not a notification type: ${type}`);
  return sql.raw(`'${type}'`);
};

/**
 * Whether `recipient` gets (and sees) nothing from `actor`: a block stands between them, either
 * way, or the recipient mutes the actor. Applied when a notification is written and again when it
 * is read (so those already there come back when the block or mute ends).
 */
export const suppressed = (actor: Column | SQL, recipient: Column | SQL) =>
  sql<boolean>`(${eitherBlocks(actor, recipient)} OR ${muting(recipient, actor)})`;

/**
 * The author of tweet `tweetId` (the recipient of a like or repost of it), locked FOR KEY SHARE
 * after what `after` references (the caller's row) and before the statement locks the tweet: an
 * account deletion of the author waits for the statement, or the statement finds the author, and
 * so the tweet, gone.
 */
export const lockedAuthor = <Name extends string>(db: Db, name: Name, tweetId: number, after: SQL) =>
  db.$with(name).as(
    db
      .select({ id: users.id })
      .from(users)
      .where(and(sql`${users.id} = (SELECT ${tweets.userId} FROM ${tweets} WHERE ${tweets.id} = ${tweetId})`, after))
      .for("key share"),
  );

/** One type of notification and whom it goes to: `rows` is a SELECT of (recipient id, actor id, tweet id or NULL). */
export type Notice = { type: NotificationType; rows: SQL };

/** One tweet gives a user at most one notification: the first type in this order. */
const PRECEDENCE: readonly NotificationType[] = ["reply", "quote", "mention", "like", "repost", "follow"];

/**
 * The CTE that writes the notifications of an action: each notice's rows, never to the actor
 * themself nor while `suppressed`, one per recipient (PRECEDENCE), and none that exists already
 * (the unique index: an action repeated idempotently adds none). The notices' rows should come
 * from what the statement really added (its INSERT … RETURNING), so a repeat adds nothing.
 */
export const notify = <Name extends string>(db: Db, name: Name, notices: Notice[]) => {
  const candidates = sql.join(
    notices.map(
      (n) => sql`SELECT r.recipient_id::int, r.actor_id::int, ${typeLiteral(n.type)}::varchar, r.tweet_id::int,
                        ${PRECEDENCE.indexOf(n.type)}::int
                 FROM (${n.rows}) AS r(recipient_id, actor_id, tweet_id)`,
    ),
    sql` UNION ALL `,
  );
  return db.$with(name, { id: notifications.id }).as(
    sql`INSERT INTO ${notifications} (recipient_id, actor_id, type, tweet_id)
          SELECT DISTINCT ON (n.recipient_id) n.recipient_id, n.actor_id, n.type, n.tweet_id
          FROM (${candidates}) AS n(recipient_id, actor_id, type, tweet_id, rank)
          WHERE n.recipient_id <> n.actor_id AND NOT ${suppressed(sql`n.actor_id`, sql`n.recipient_id`)}
          ORDER BY n.recipient_id, n.rank
          ON CONFLICT DO NOTHING
          RETURNING id`,
  );
};

/**
 * The CTE that removes the notification of an undone action (unlike, unrepost, unfollow),
 * when `undone` (e.g. the action's row was really deleted by this statement).
 */
export const unnotify = <Name extends string>(
  db: Db,
  name: Name,
  type: NotificationType,
  of: { recipient: number | SQL; actor: number | SQL; tweet: number | null },
  undone: SQL,
) =>
  db.$with(name).as(
    db
      .delete(notifications)
      .where(
        and(
          sql`${notifications.recipientId} = ${of.recipient}`,
          sql`${notifications.actorId} = ${of.actor}`,
          sql`${notifications.type} = ${typeLiteral(type)}`,
          of.tweet === null ? isNull(notifications.tweetId) : eq(notifications.tweetId, of.tweet),
          undone,
        ),
      )
      .returning({ id: notifications.id }),
  );
