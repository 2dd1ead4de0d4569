// The outbox, shared by every node on PostgreSQL. A claim is one statement: it picks due items with
// `FOR UPDATE SKIP LOCKED` (an item another node is claiming at this instant is skipped, not waited for) and
// stamps them with this worker's lease, so each item is handed to one node; on SQLite one process owns the file
// and runs one statement at a time, so no two claims ever see the same item free. A claim whose lease has
// expired (its node died or hung) is due again. Items of one ordering key are claimable only oldest first: the
// next waits until the one before it is completed. Writers of one dataset hold its row lock while they insert,
// so within a key, id order is commit order.
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { asDate, parseJson } from '../sql/row-values.ts';
import { empty, forUpdateSkipLocked, json, sql } from '../sql/sql.ts';
import type { CognitoStreamsConfig, OutboxEntry, OutboxItem } from '../store.ts';
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
  const rows = await db.all<OutboxRow>(
    sql`WITH due AS (
          SELECT id FROM outbox AS o
          WHERE next_attempt_at <= ${now} AND (claim_expires_at IS NULL OR claim_expires_at <= ${now})
            AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.ordering_key = o.ordering_key AND e.id < o.id)
          ORDER BY id LIMIT ${limit}${forUpdateSkipLocked}
        )
        UPDATE outbox SET claimed_by = ${worker}, claim_expires_at = ${new Date(now.getTime() + leaseMs)}, attempts = attempts + 1
        WHERE id IN (SELECT id FROM due)
        RETURNING id, kind, ordering_key, payload, attempts, created_at`,
  );
  return rows
    .map((row) => ({
      id: row.id,
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

export async function extendOutboxClaim(db: SqlDatabase, id: number, worker: string, leaseMs: number, now: Date, payload?: unknown): Promise<boolean> {
  const expires = new Date(now.getTime() + leaseMs);
  return (await db.run(sql`UPDATE outbox SET claim_expires_at = ${expires}${setPayload(payload)} WHERE id = ${id} AND claimed_by = ${worker}`)) > 0;
}

export async function completeOutboxItem(db: SqlDatabase, id: number): Promise<boolean> {
  return (await db.run(sql`DELETE FROM outbox WHERE id = ${id}`)) > 0;
}

export async function retryOutboxItem(db: SqlDatabase, id: number, worker: string, nextAttemptAt: Date, error: string, payload?: unknown): Promise<boolean> {
  const changed = await db.run(
    sql`UPDATE outbox SET claimed_by = NULL, claim_expires_at = NULL, next_attempt_at = ${nextAttemptAt}, last_error = ${error}${setPayload(payload)}
        WHERE id = ${id} AND claimed_by = ${worker}`,
  );
  return changed > 0;
}

export async function outboxDepth(db: SqlDatabase): Promise<number> {
  return (await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM outbox`))!.n;
}
