import { and, asc, eq, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import { FILTERED_SCAN_FACTOR, type Page } from "../../db/keyset";
import { suppressed, typeLiteral } from "../../db/notifications";
import { NOTIFICATION_TYPES, type NotificationType, notificationMarkers, notifications } from "../../db/schema";
import { callerOk, flag, flagsRow, lockedCaller, userExists } from "../../db/sql";
import { UNREAD_COUNT_CAP } from "../../lib/limits";
import { notificationParts } from "../../models/notification";
import type { Caller, Db } from "../../types";

/**
 * The statements of a user's notifications, only for that user (`self`, decided before the query:
 * for anyone else they read nothing, and 403). A notification whose actor is `suppressed` (a
 * block either way, or the recipient mutes the actor) is neither listed nor counted: filtered here,
 * at read time, so it comes back when the block or mute ends.
 */

/** The notifications of `userId` (of one type, when given): one range of an index in the list's order. */
const of = (userId: number, self: boolean, type?: NotificationType) =>
  and(
    eq(notifications.recipientId, userId),
    sql`${self}::boolean`,
    type ? sql`${notifications.type} = ${typeLiteral(type)}` : undefined,
  );

/** Shown to the recipient: the actor is not `suppressed`. */
const shownToRecipient = sql<boolean>`NOT ${suppressed(notifications.actorId, notifications.recipientId)}`;

/**
 * GET /users/{id}/notifications: newest first (created_at, then id), through the bounded scan
 * (Page.scan, as every list filtered for a caller): at most FILTERED_SCAN_FACTOR × limit rows are
 * read, each judged `shown` (not from a blocked or muted actor), and the page leads on from the
 * last row read, so a page costs the same however many are hidden. Without `types`, the scan is one
 * range of (recipient, created_at, id); with some types, one range of (recipient, type, created_at,
 * id) per type, each cut at the scan's bound, merged and cut again. Then each notification's actor
 * and tweet by primary key.
 */
export const listNotifications =
  (caller: Caller, userId: number, types: NotificationType[] | undefined, page: Page) => (db: Db) => {
    const self = userId === caller.id;
    const keys = () =>
      db
        .select({
          id: notifications.id,
          type: notifications.type,
          createdAt: notifications.createdAt,
          actorId: notifications.actorId,
          tweetId: notifications.tweetId,
          shown: shownToRecipient.as("shown"),
        })
        .from(notifications)
        .$dynamic();
    const distinct = [...new Set(types ?? [])];
    const all = distinct.length === 0 || distinct.length === NOTIFICATION_TYPES.length;
    const range = (type: NotificationType) =>
      keys()
        .where(and(of(userId, self, type), page.where(notifications.createdAt, notifications.id)))
        .orderBy(...page.orderBy(notifications.createdAt, notifications.id))
        .limit(page.scanRows(true));
    const [first, second, ...rest] = distinct.map((t) => range(t));
    const scan =
      all || !first
        ? page.scan(db, keys(), of(userId, self), notifications.createdAt, notifications.id, true)
        : db.$with("scan").as(
            !second
              ? first
              : unionAll(first, second, ...rest)
                  .orderBy(...page.orderBy(sql`${sql.identifier("created_at")}`, sql`${sql.identifier("id")}`))
                  .limit(page.scanRows(true)),
          );
    const listed = page
      .shownRows(
        db
          .select({
            id: scan.id,
            type: scan.type,
            createdAt: scan.createdAt,
            actorId: scan.actorId,
            tweetId: scan.tweetId,
          })
          .from(scan)
          .$dynamic(),
        scan,
      )
      .as("page");
    const { actor, tweet } = notificationParts(db, caller, listed);
    return db
      .with(scan)
      .select({
        callerOk: callerOk(caller),
        found: flag("found", userExists(userId)),
        ...page.scanned(scan, true),
        item: {
          id: listed.id,
          type: listed.type,
          createdAt: listed.createdAt,
          actorId: listed.actorId,
          tweetId: listed.tweetId,
        },
        actor: actor._.selectedFields,
        tweet: tweet._.selectedFields,
      })
      .from(flagsRow)
      .leftJoinLateral(listed, sql`true`)
      .leftJoinLateral(actor, sql`true`)
      .leftJoinLateral(tweet, sql`true`)
      .orderBy(...page.orderBy(listed.createdAt, listed.id));
  };

/** The marker: the id of the last notification read, 0 before any. */
const marker = (userId: number) =>
  sql`coalesce((SELECT ${notificationMarkers.lastReadId} FROM ${notificationMarkers}
                WHERE ${notificationMarkers.userId} = ${userId}), 0)`;

/**
 * GET /users/{id}/notifications/unread_count: the notifications above the marker, counted up to
 * UNREAD_COUNT_CAP, reading at most FILTERED_SCAN_FACTOR times that many rows of (recipient, id)
 * past the marker (the bound every filtered list has): the count stops at the cap's shown row or at
 * the bound, whichever comes first, however many the user has, or has hidden. Only when more than
 * three in four of those rows are from blocked or muted actors does it count fewer than there are.
 */
export const unreadCount = (caller: Caller, userId: number) => (db: Db) => {
  const read = db
    .select({ shown: shownToRecipient.as("shown") })
    .from(notifications)
    // A range of (recipient, id), walked in order so that the scan stops early: neither a bitmap
    // scan (every unread row first) nor the primary key (every other user's rows above the marker).
    .where(
      and(
        of(userId, userId === caller.id),
        sql`(${notifications.recipientId}, ${notifications.id}) > (${userId}::int, ${marker(userId)})`,
      ),
    )
    .orderBy(asc(notifications.recipientId), asc(notifications.id))
    .limit(UNREAD_COUNT_CAP * FILTERED_SCAN_FACTOR)
    .as("read");
  // The outer LIMIT pulls rows from the scan only until the cap's shown row (a pipeline, not a sort).
  const unread = db.select({ one: sql`1` }).from(read).where(sql`${read.shown}`).limit(UNREAD_COUNT_CAP).as("unread");
  return db
    .select({
      callerOk: callerOk(caller),
      found: flag("found", userExists(userId)),
      count: sql<number>`(SELECT count(*)::int FROM ${unread})`.mapWith(Number).as("count"),
    })
    .from(flagsRow);
};

/** GET /users/{id}/notifications/marker: the last read id, null before the first PUT. */
export const getMarker = (caller: Caller, userId: number) => (db: Db) =>
  db
    .select({
      callerOk: callerOk(caller),
      found: flag("found", userExists(userId)),
      lastReadId: sql<number | null>`(SELECT ${notificationMarkers.lastReadId} FROM ${notificationMarkers}
        WHERE ${notificationMarkers.userId} = ${userId} AND ${userId === caller.id}::boolean)`.as("last_read_id"),
    })
    .from(flagsRow);

/**
 * PUT /users/{id}/notifications/marker: moves the marker forward only (the greater of the stored
 * and the given id, also under concurrent PUTs: the upsert takes the row's lock), and returns it.
 */
export const putMarker = (caller: Caller, userId: number, lastReadId: number) => (db: Db) => {
  const owner = lockedCaller(db, "owner", caller, "key share");
  const saved = db.$with("saved", { lastReadId: notificationMarkers.lastReadId }).as(
    sql`INSERT INTO ${notificationMarkers} (user_id, last_read_id)
          SELECT ${owner.id}, ${lastReadId}::int FROM ${owner} WHERE ${owner.id} = ${userId}
          ON CONFLICT (user_id) DO UPDATE
            SET last_read_id = greatest(${notificationMarkers.lastReadId}, excluded.last_read_id)
          RETURNING last_read_id`,
  );
  return db
    .with(owner, saved)
    .select({
      callerOk: flag("caller_ok", sql`EXISTS (SELECT 1 FROM ${owner})`),
      found: flag("found", userExists(userId)),
      lastReadId: sql<number | null>`(SELECT ${saved.lastReadId} FROM ${saved})`.as("last_read_id"),
    })
    .from(flagsRow);
};
