// Group commit: writes that reach the store in the same turn of the event loop share one durable COMMIT (one
// fsync of the WAL) instead of paying for one each. Each write still runs in its own savepoint, so it is
// all-or-nothing on its own and sees the writes queued before it exactly as if they had committed first (they
// run in arrival order); none is answered before the shared COMMIT has returned, so every write that is
// acknowledged is on disk, and if the COMMIT fails, every write of the batch fails with it.
import type { DatabaseSync } from 'node:sqlite';
import type { SqlRunner } from '../sql/database.ts';
import type { ConnectionLock } from './connection-lock.ts';

interface Pending {
  work: (tx: SqlRunner) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Bounds how long the first write of a batch can wait behind the others. */
const MAX_BATCH = 256;

export type GroupCommit = <T>(work: (tx: SqlRunner) => Promise<T>) => Promise<T>;

export function createGroupCommit(connection: DatabaseSync, lock: ConnectionLock, runner: SqlRunner): GroupCommit {
  let queue: Pending[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // After the I/O callbacks of this turn: every request read in it has had the chance to queue its write.
    setImmediate(() => void lock.run(flush));
  };

  const flush = async () => {
    scheduled = false;
    const batch = queue.splice(0, MAX_BATCH);
    if (queue.length > 0) schedule();
    const failAll = (error: unknown) => {
      for (const pending of batch) pending.reject(error);
    };
    try {
      connection.exec('BEGIN IMMEDIATE');
    } catch (error) {
      failAll(error);
      return;
    }
    const outcomes: Outcome[] = [];
    for (const pending of batch) {
      connection.exec('SAVEPOINT grouped_write');
      try {
        outcomes.push({ ok: true, value: await pending.work(runner) });
        connection.exec('RELEASE grouped_write');
      } catch (error) {
        outcomes.push({ ok: false, error });
        // SQLite may have rolled the whole transaction back already (I/O error, disk full): nothing to undo.
        if (connection.isTransaction) {
          connection.exec('ROLLBACK TO grouped_write');
          connection.exec('RELEASE grouped_write');
        }
      }
      if (!connection.isTransaction) {
        // The shared transaction is gone: the writes before this one are gone too, so none may be acknowledged.
        const last = outcomes.at(-1)!;
        failAll(last.ok ? new Error('the shared transaction was rolled back') : last.error);
        return;
      }
    }
    try {
      connection.exec('COMMIT');
    } catch (error) {
      if (connection.isTransaction) connection.exec('ROLLBACK');
      failAll(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  };

  return <T>(work: (tx: SqlRunner) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      schedule();
    });
}
