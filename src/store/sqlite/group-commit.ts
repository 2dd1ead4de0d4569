// Group commit: writes that reach the store in the same turn of the event loop share one durable COMMIT
// (one fsync of the WAL) instead of paying for one each. Each write still runs in its own savepoint, so it
// is all-or-nothing on its own and sees the writes queued before it exactly as if they had committed first
// (they run in arrival order); none is answered before the shared COMMIT has returned, so every write that
// is acknowledged is on disk, and if the COMMIT fails, every write of the batch fails with it.
import { type Db, inTransaction } from './database.ts';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Bounds how long the first write of a batch can wait behind the others. */
const MAX_BATCH = 256;

export type GroupCommit = <T>(work: () => T) => Promise<T>;

export function createGroupCommit(db: Db): GroupCommit {
  let queue: Pending[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // After the I/O callbacks of this turn: every request read in it has had the chance to queue its write.
    setImmediate(flush);
  };

  const flush = () => {
    scheduled = false;
    const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
    queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
    if (queue.length > 0) schedule();
    const failAll = (error: unknown) => {
      for (const pending of batch) pending.reject(error);
    };

    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      failAll(error);
      return;
    }
    const outcomes: Outcome[] = [];
    for (const pending of batch) {
      try {
        outcomes.push({ ok: true, value: inTransaction(db, pending.work) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
      if (!db.isTransaction) {
        // SQLite rolled the shared transaction back (I/O error, disk full): the writes before this one are
        // gone too, so none of the batch may be acknowledged.
        const last = outcomes.at(-1)!;
        failAll(last.ok ? new Error('the shared transaction was rolled back') : last.error);
        return;
      }
    }
    try {
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      failAll(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  };

  return <T>(work: () => T) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      schedule();
    });
}
