// The outbox on PostgreSQL, shared by every node. A claim is one statement: it picks due items with
// `FOR UPDATE SKIP LOCKED` (an item another node is claiming at this instant is skipped, not waited for) and
// stamps them with this worker's lease, so each item is handed to one node. A claim whose lease has expired (its
// node died or hung) is due again. Items of one ordering key are claimable only oldest first: the next waits
// until the one before it is completed. Writers of one dataset hold its row lock while they insert, so within a
// key, id order is commit order.
import type pg from 'pg';
import type { OutboxEntry, OutboxItem } from '../store.ts';
import { streamingEnabled } from '../stream-outbox-entries.ts';
import { fromJson, inTransaction, type Queryable } from './database.ts';

interface OutboxRow {
  id: number;
  kind: string;
  ordering_key: string;
  payload: string;
  attempts: number;
  created_at: Date;
}

/** Inserts an item; call inside the transaction of the change that causes it. */
export async function addOutboxItem(db: Queryable, entry: OutboxEntry, now: Date): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    'INSERT INTO outbox (kind, ordering_key, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4) RETURNING id',
    [entry.kind, entry.orderingKey, JSON.stringify(entry.payload), now],
  );
  return rows[0]!.id;
}

/**
 * Inside a transaction that changed a dataset of the pool: queues the Cognito Streams entry when the pool's
 * streaming is ENABLED as this transaction reads it. No lock on the configuration row, so syncs of one pool
 * never queue behind each other here; a SetIdentityPoolConfiguration that commits meanwhile is honoured at
 * delivery, which reads the configuration again.
 */
export async function addStreamEntryIfEnabled(db: Queryable, identityPoolId: string, now: Date, build: () => OutboxEntry): Promise<boolean> {
  const row = (
    await db.query<{ cognito_streams: unknown }>('SELECT cognito_streams FROM pool_sync_configuration WHERE identity_pool_id = $1', [identityPoolId])
  ).rows[0];
  if (!streamingEnabled(fromJson(row?.cognito_streams))) return false;
  await addOutboxItem(db, build(), now);
  return true;
}

export function enqueueOutboxItem(db: pg.Pool, entry: OutboxEntry, now: Date): Promise<number> {
  return addOutboxItem(db, entry, now);
}

export function claimOutboxItems(db: pg.Pool, worker: string, limit: number, leaseMs: number, now: Date): Promise<OutboxItem[]> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<OutboxRow>(
      `WITH due AS (
         SELECT id FROM outbox AS o
         WHERE next_attempt_at <= $1 AND (claim_expires_at IS NULL OR claim_expires_at <= $1)
           AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.ordering_key = o.ordering_key AND e.id < o.id)
         ORDER BY id LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE outbox SET claimed_by = $3, claim_expires_at = $4, attempts = outbox.attempts + 1
       FROM due WHERE outbox.id = due.id
       RETURNING outbox.id, outbox.kind, outbox.ordering_key, outbox.payload, outbox.attempts, outbox.created_at`,
      [now, limit, worker, new Date(now.getTime() + leaseMs)],
    );
    return rows
      .map((row) => ({
        id: row.id,
        kind: row.kind,
        orderingKey: row.ordering_key,
        payload: JSON.parse(row.payload) as unknown,
        attempts: row.attempts,
        createdAt: row.created_at,
      }))
      .sort((a, b) => a.id - b.id);
  });
}

export async function extendOutboxClaim(db: pg.Pool, id: number, worker: string, leaseMs: number, now: Date, payload?: unknown): Promise<boolean> {
  const expires = new Date(now.getTime() + leaseMs);
  const result =
    payload === undefined
      ? await db.query('UPDATE outbox SET claim_expires_at = $1 WHERE id = $2 AND claimed_by = $3', [expires, id, worker])
      : await db.query('UPDATE outbox SET claim_expires_at = $1, payload = $2 WHERE id = $3 AND claimed_by = $4', [
          expires,
          JSON.stringify(payload),
          id,
          worker,
        ]);
  return (result.rowCount ?? 0) > 0;
}

export async function completeOutboxItem(db: pg.Pool, id: number): Promise<boolean> {
  return ((await db.query('DELETE FROM outbox WHERE id = $1', [id])).rowCount ?? 0) > 0;
}

export async function retryOutboxItem(db: pg.Pool, id: number, worker: string, nextAttemptAt: Date, error: string, payload?: unknown): Promise<boolean> {
  const result =
    payload === undefined
      ? await db.query(
          'UPDATE outbox SET claimed_by = NULL, claim_expires_at = NULL, next_attempt_at = $1, last_error = $2 WHERE id = $3 AND claimed_by = $4',
          [nextAttemptAt, error, id, worker],
        )
      : await db.query(
          `UPDATE outbox SET claimed_by = NULL, claim_expires_at = NULL, next_attempt_at = $1, last_error = $2, payload = $3
           WHERE id = $4 AND claimed_by = $5`,
          [nextAttemptAt, error, JSON.stringify(payload), id, worker],
        );
  return (result.rowCount ?? 0) > 0;
}

export async function outboxDepth(db: pg.Pool): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*) AS n FROM outbox')).rows[0]!.n;
}
