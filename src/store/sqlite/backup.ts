// An online copy of the embedded database, taken through the server's own connection: the file is opened with
// EXCLUSIVE locking (sqlite-database.ts), so no other connection can read it while the server runs. SQLite's backup API
// copies `PAGES_PER_STEP` pages per step on a worker thread; the store's writes go on between steps (a step that
// meets a write transaction in progress is retried), and writes made through this same connection while the copy
// runs are applied to the copy as they commit, so the finished file is the database as of the last step.
import { backup } from 'node:sqlite';
import type { BackupProgress, BackupResult } from '../store.ts';
import type { DatabaseSync } from 'node:sqlite';

/** 1,024 pages of 4 KiB: each step holds the connection for a few milliseconds. */
const PAGES_PER_STEP = 1024;

export async function backupTo(db: DatabaseSync, file: string, onProgress?: (progress: BackupProgress) => void): Promise<BackupResult> {
  const pages = await backup(db, file, {
    rate: PAGES_PER_STEP,
    progress: ({ totalPages, remainingPages }) => onProgress?.({ totalPages, remainingPages }),
  });
  return { pages };
}
