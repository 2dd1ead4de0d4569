// The outbox, shared by every node on PostgreSQL. A claim is one statement: it picks due items with
// `FOR UPDATE SKIP LOCKED` (an item another node is claiming at this instant is skipped, not waited for) and
// stamps them with this worker's lease, so each item is handed to one node; on SQLite one process owns the file
// and runs one statement at a time, so no two claims ever see the same item free. A claim whose lease has
// expired (its node died or hung) is due again. Every claim carries a fresh token that the claim holder's later
// statements must match, so a worker that lost its claim can no longer act on the item. Items of one ordering key
// are claimable only oldest first: the next waits until the one before it is completed (a dead letter, too, holds
// back the rest of its key until it is retried and delivered). Writers of one dataset hold its row lock while they
// insert, so within a key, id order is commit order.
import { randomUUID } from 'node:crypto';
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { asDate, parseJson } from '../sql/row-values.ts';
import { anyOf, empty, forUpdateSkipLocked, json, sql } from '../sql/sql.ts';
import type { CognitoStreamsConfig, DeadLetter, OutboxClaim, OutboxEntry, OutboxItem, OutboxKindDepth } from '../store.ts';
import { streamingEnabled } from '../stream-outbox-entries.ts';

interface OutboxRow {
  id: number;
  kind: string;
  ordering_key: string;
  payload: string;
  attempts: number;
  created_at: number | Date;
}

/** Inserts an item; call inside the transaction of the change that causes it. */
export async function addOutboxItem(tx: SqlRunner, entry: OutboxEntry, now: Date): Promise<number> {
  const row = await tx.get<{ id: number }>(
    sql`INSERT INTO outbox (kind, ordering_key, payload, created_at, next_attempt_at)
        VALUES (${entry.kind}, ${entry.orderingKey}, ${json(entry.payload)}, ${now}, ${now}) RETURNING id`,
  );
  return row!.id;
}

/**
 * Inside a transaction that changed a dataset of the pool: queues the Cognito Streams entry when the pool's
 * streaming is ENABLED as this transaction reads it; `build` runs only then. No lock on the configuration row,
 * so syncs of one pool never queue behind each other here; a SetIdentityPoolConfiguration that commits
 * meanwhile is honoured at delivery, which reads the configuration again.
 */
export async function addStreamEntryIfEnabled(tx: SqlRunner, identityPoolId: string, now: Date, build: () => OutboxEntry): Promise<boolean> {
  const row = await tx.get<{ cognito_streams: string | null }>(
    sql`SELECT cognito_streams FROM pool_sync_configuration WHERE identity_pool_id = ${identityPoolId}`,
  );
  if (!streamingEnabled(parseJson<CognitoStreamsConfig>(row?.cognito_streams))) return false;
  await addOutboxItem(tx, build(), now);
  return true;
}

export const enqueueOutboxItem = (db: SqlDatabase, entry: OutboxEntry, now: Date): Promise<number> => addOutboxItem(db, entry, now);

export async function claimOutboxItems(db: SqlDatabase, worker: string, limit: number, leaseMs: number, now: Date): Promise<OutboxItem[]> {
  // One token for the items of this claim: every check below names the item's id too, so (id, token) is
  // unique to this claim of this item, and the next claim of it, by any worker, gets another token.
  const claimToken = randomUUID();
  const rows = await db.all<OutboxRow>(
    sql`WITH due AS (
          SELECT id FROM outbox AS o
          WHERE dead_at IS NULL AND next_attempt_at <= ${now} AND (claim_expires_at IS NULL OR claim_expires_at <= ${now})
            AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.ordering_key = o.ordering_key AND e.id < o.id)
          ORDER BY id LIMIT ${limit}${forUpdateSkipLocked}
        )
        UPDATE outbox SET claimed_by = ${worker}, claim_token = ${claimToken}, claim_expires_at = ${new Date(now.getTime() + leaseMs)},
          attempts = attempts + 1
        WHERE id IN (SELECT id FROM due)
        RETURNING id, kind, ordering_key, payload, attempts, created_at`,
  );
  return rows
    .map((row) => ({
      id: row.id,
      claimToken,
      kind: row.kind,
      orderingKey: row.ordering_key,
      payload: JSON.parse(row.payload) as unknown,
      attempts: row.attempts,
      createdAt: asDate(row.created_at),
    }))
    .sort((a, b) => a.id - b.id);
}

/** `payload`, when given, replaces the item's (progress a long job keeps across claims). */
const setPayload = (payload: unknown) => (payload === undefined ? empty : sql`, payload = ${json(payload)}`);

/** The condition every claim-holder's statement carries: this item, still under this claim. */
const heldBy = (claim: OutboxClaim) => sql`id = ${claim.id} AND claim_token = ${claim.claimToken}`;

/** Fields that release a claim. */
const RELEASED = sql`claimed_by = NULL, claim_token = NULL, claim_expires_at = NULL`;

export async function extendOutboxClaim(db: SqlDatabase, claim: OutboxClaim, leaseMs: number, now: Date, payload?: unknown): Promise<boolean> {
  const expires = new Date(now.getTime() + leaseMs);
  return (await db.run(sql`UPDATE outbox SET claim_expires_at = ${expires}${setPayload(payload)} WHERE ${heldBy(claim)}`)) > 0;
}

export async function completeOutboxItem(db: SqlDatabase, claim: OutboxClaim): Promise<boolean> {
  return (await db.run(sql`DELETE FROM outbox WHERE ${heldBy(claim)}`)) > 0;
}

export async function retryOutboxItem(db: SqlDatabase, claim: OutboxClaim, nextAttemptAt: Date, error: string, payload?: unknown): Promise<boolean> {
  const changed = await db.run(
    sql`UPDATE outbox SET ${RELEASED}, next_attempt_at = ${nextAttemptAt}, last_error = ${error}${setPayload(payload)} WHERE ${heldBy(claim)}`,
  );
  return changed > 0;
}

export async function deadLetterOutboxItem(db: SqlDatabase, claim: OutboxClaim, error: string, now: Date): Promise<boolean> {
  return (await db.run(sql`UPDATE outbox SET ${RELEASED}, dead_at = ${now}, last_error = ${error} WHERE ${heldBy(claim)}`)) > 0;
}

export async function outboxDepth(db: SqlDatabase): Promise<number> {
  return (await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM outbox`))!.n;
}

export async function outboxDepthByKind(db: SqlDatabase): Promise<OutboxKindDepth[]> {
  const rows = await db.all<{ kind: string; pending: number; dead: number }>(
    sql`SELECT kind, sum(CASE WHEN dead_at IS NULL THEN 1 ELSE 0 END) AS pending, sum(CASE WHEN dead_at IS NULL THEN 0 ELSE 1 END) AS dead
        FROM outbox GROUP BY kind ORDER BY kind`,
  );
  return rows.map((row) => ({ kind: row.kind, pending: Number(row.pending), deadLetters: Number(row.dead) }));
}

interface DeadLetterRow extends OutboxRow {
  dead_at: number | Date;
  last_error: string | null;
}

export async function listDeadLetters(db: SqlDatabase, limit: number): Promise<DeadLetter[]> {
  const rows = await db.all<DeadLetterRow>(
    sql`SELECT id, kind, ordering_key, payload, attempts, created_at, dead_at, last_error FROM outbox
        WHERE dead_at IS NOT NULL ORDER BY id LIMIT ${limit}`,
  );
  return rows.map((row) => {
    const letter: DeadLetter = {
      id: row.id,
      kind: row.kind,
      orderingKey: row.ordering_key,
      payload: JSON.parse(row.payload) as unknown,
      attempts: row.attempts,
      createdAt: asDate(row.created_at),
      deadAt: asDate(row.dead_at),
    };
    if (row.last_error !== null) letter.lastError = row.last_error;
    return letter;
  });
}

export function retryDeadLetters(db: SqlDatabase, now: Date, ids?: readonly number[]): Promise<number> {
  if (ids !== undefined && ids.length === 0) return Promise.resolve(0);
  return db.run(
    sql`UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = ${now}
        WHERE dead_at IS NOT NULL${ids === undefined ? empty : sql` AND id ${anyOf(ids)}`}`,
  );
}
