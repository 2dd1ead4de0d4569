// The outbox on the embedded store. One process owns the file, and every claim runs in a write transaction
// (BEGIN IMMEDIATE), so no two claims ever see the same item free.
import type { OutboxEntry, OutboxItem } from '../store.ts';
import { streamingEnabled } from '../stream-outbox-entries.ts';
import { type Db, fromJson, inTransaction } from './database.ts';

interface OutboxRow {
  id: number;
  kind: string;
  ordering_key: string;
  payload: string;
  attempts: number;
  created_at: number;
}

/** Inserts an item; call inside the transaction of the change that causes it. */
export function addOutboxItem(db: Db, entry: OutboxEntry, now: Date): number {
  const result = db
    .prepare('INSERT INTO outbox (kind, ordering_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)')
    .run(entry.kind, entry.orderingKey, JSON.stringify(entry.payload), now.getTime(), now.getTime());
  return Number(result.lastInsertRowid);
}

/**
 * Inside a transaction that changed a dataset of the pool: queues the Cognito Streams entry when the pool's
 * streaming is ENABLED as of this transaction. `build` runs only then.
 */
export function addStreamEntryIfEnabled(db: Db, identityPoolId: string, now: Date, build: () => OutboxEntry): boolean {
  const row = db.prepare('SELECT cognito_streams FROM pool_sync_configuration WHERE identity_pool_id = ?').get(identityPoolId) as
    | { cognito_streams: string | null }
    | undefined;
  if (!streamingEnabled(fromJson(row?.cognito_streams))) return false;
  addOutboxItem(db, build(), now);
  return true;
}

export function enqueueOutboxItem(db: Db, entry: OutboxEntry, now: Date): number {
  return inTransaction(db, () => addOutboxItem(db, entry, now));
}

export function claimOutboxItems(db: Db, worker: string, limit: number, leaseMs: number, now: Date): OutboxItem[] {
  const at = now.getTime();
  return inTransaction(db, () => {
    // Only the oldest item of each ordering key is a candidate: the next one waits until it is completed.
    const rows = db
      .prepare(
        `SELECT id, kind, ordering_key, payload, attempts, created_at FROM outbox AS o
         WHERE next_attempt_at <= ? AND (claim_expires_at IS NULL OR claim_expires_at <= ?)
           AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.ordering_key = o.ordering_key AND e.id < o.id)
         ORDER BY id LIMIT ?`,
      )
      .all(at, at, limit) as unknown as OutboxRow[];
    const claim = db.prepare('UPDATE outbox SET claimed_by = ?, claim_expires_at = ?, attempts = attempts + 1 WHERE id = ?');
    return rows.map((row) => {
      claim.run(worker, at + leaseMs, row.id);
      return {
        id: row.id,
        kind: row.kind,
        orderingKey: row.ordering_key,
        payload: JSON.parse(row.payload) as unknown,
        attempts: row.attempts + 1,
        createdAt: new Date(row.created_at),
      };
    });
  });
}

export function extendOutboxClaim(db: Db, id: number, worker: string, leaseMs: number, now: Date, payload?: unknown): boolean {
  const expires = now.getTime() + leaseMs;
  const result =
    payload === undefined
      ? db.prepare('UPDATE outbox SET claim_expires_at = ? WHERE id = ? AND claimed_by = ?').run(expires, id, worker)
      : db
          .prepare('UPDATE outbox SET claim_expires_at = ?, payload = ? WHERE id = ? AND claimed_by = ?')
          .run(expires, JSON.stringify(payload), id, worker);
  return result.changes > 0;
}

export function completeOutboxItem(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM outbox WHERE id = ?').run(id).changes > 0;
}

export function retryOutboxItem(db: Db, id: number, worker: string, nextAttemptAt: Date, error: string, payload?: unknown): boolean {
  const result =
    payload === undefined
      ? db
          .prepare('UPDATE outbox SET claimed_by = NULL, claim_expires_at = NULL, next_attempt_at = ?, last_error = ? WHERE id = ? AND claimed_by = ?')
          .run(nextAttemptAt.getTime(), error, id, worker)
      : db
          .prepare(
            `UPDATE outbox SET claimed_by = NULL, claim_expires_at = NULL, next_attempt_at = ?, last_error = ?, payload = ?
             WHERE id = ? AND claimed_by = ?`,
          )
          .run(nextAttemptAt.getTime(), error, JSON.stringify(payload), id, worker);
  return result.changes > 0;
}

export function outboxDepth(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
}
