// The machine's own limit for the sync figures, run as its own process: one durable SQLite transaction
// per sync (node:sqlite, WAL, synchronous=FULL, EXCLUSIVE locking as the store uses, in the temporary directory the servers' data lives in),
// writing or reading the same rows UpdateRecords and ListRecords do. The two tables mirror the store's
// datasets and dataset_records (columns, keys and the sync-count index), kept here so this baseline does
// not move when the store's other tables do. argv: JSON { mode: 'write' | 'read', seconds, patches, records }.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

interface Job {
  mode: 'write' | 'read';
  seconds: number;
  /** write: records per transaction. */
  patches: number;
  /** read: records the delta returns. */
  records: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
const dir = mkdtempSync(join(tmpdir(), 'cognito-sync-bench-raw-'));
const db = new DatabaseSync(join(dir, 'raw.db'));
// The store's own settings: one process owns the file, WAL, and a commit is on disk before it returns.
db.exec('PRAGMA locking_mode = EXCLUSIVE');
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec(`
  CREATE TABLE datasets (
    identity_id TEXT NOT NULL, dataset_name TEXT NOT NULL, identity_pool_id TEXT NOT NULL, sync_count INTEGER NOT NULL,
    deleted_through INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, last_modified_at INTEGER NOT NULL,
    last_modified_by TEXT NOT NULL, num_records INTEGER NOT NULL, data_storage INTEGER NOT NULL, merged_base_name TEXT NULL,
    PRIMARY KEY (identity_id, dataset_name));
  CREATE TABLE dataset_records (
    identity_id TEXT NOT NULL, dataset_name TEXT NOT NULL, record_key TEXT NOT NULL, value TEXT NULL,
    sync_count INTEGER NOT NULL, size INTEGER NOT NULL, last_modified_at INTEGER NOT NULL, last_modified_by TEXT NOT NULL,
    device_last_modified_at INTEGER NULL, PRIMARY KEY (identity_id, dataset_name, record_key),
    FOREIGN KEY (identity_id, dataset_name) REFERENCES datasets (identity_id, dataset_name) ON DELETE CASCADE);
  CREATE INDEX dataset_records_by_sync_count ON dataset_records (identity_id, dataset_name, sync_count, record_key);
`);

const identity = 'us-east-1:00000000-0000-4000-8000-000000000001';
const dataset = 'bench';
const value = (i: number) => `{"setting":${i},"updated":"2026-01-01T00:00:00Z","note":"bench"}`;
const now = Date.now();
db.prepare(`INSERT INTO datasets VALUES (?, ?, 'us-east-1:pool', 0, 0, ?, ?, ?, 0, 0, NULL)`).run(identity, dataset, now, now, identity);

const readDataset = db.prepare('SELECT * FROM datasets WHERE identity_id = ? AND dataset_name = ?');
const readRecord = db.prepare('SELECT record_key, value, sync_count, size FROM dataset_records WHERE identity_id = ? AND dataset_name = ? AND record_key = ?');
const upsert = db.prepare(
  `INSERT INTO dataset_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
   ON CONFLICT (identity_id, dataset_name, record_key) DO UPDATE SET value = excluded.value, sync_count = excluded.sync_count,
     size = excluded.size, last_modified_at = excluded.last_modified_at, last_modified_by = excluded.last_modified_by`,
);
const bumpDataset = db.prepare(
  'UPDATE datasets SET sync_count = ?, last_modified_at = ?, last_modified_by = ?, num_records = ?, data_storage = ? WHERE identity_id = ? AND dataset_name = ?',
);
const readDelta = db.prepare(
  `SELECT record_key, value, sync_count, size, last_modified_at, last_modified_by, device_last_modified_at FROM dataset_records
   WHERE identity_id = ? AND dataset_name = ? AND sync_count > ? AND (sync_count, record_key) > (?, ?) ORDER BY sync_count, record_key LIMIT ?`,
);

let syncCount = 0;
function writeOnce() {
  db.exec('BEGIN IMMEDIATE');
  readDataset.get(identity, dataset);
  for (let j = 0; j < job.patches; j++) readRecord.get(identity, dataset, `key${j}`);
  syncCount += 1;
  const at = Date.now();
  for (let j = 0; j < job.patches; j++) upsert.run(identity, dataset, `key${j}`, value(syncCount), syncCount, 60, at, identity);
  bumpDataset.run(syncCount, at, identity, job.patches, job.patches * 60, identity, dataset);
  db.exec('COMMIT');
}
function readOnce() {
  db.exec('BEGIN');
  readDataset.get(identity, dataset);
  const rows = readDelta.all(identity, dataset, 0, 0, '', job.records + 1);
  db.exec('COMMIT');
  if (rows.length !== job.records) throw new Error(`read ${rows.length} records, expected ${job.records}`);
}

if (job.mode === 'read') {
  // The delta: `records` records written by one sync.
  db.exec('BEGIN IMMEDIATE');
  for (let j = 0; j < job.records; j++) upsert.run(identity, dataset, `key${String(j).padStart(4, '0')}`, value(j), 1, 60, now, identity);
  bumpDataset.run(1, now, identity, job.records, job.records * 60, identity, dataset);
  db.exec('COMMIT');
}
const once = job.mode === 'write' ? writeOnce : readOnce;
for (let i = 0; i < 200; i++) once();

const latencies: number[] = [];
const started = performance.now();
const until = started + job.seconds * 1000;
for (let t = started; t < until; ) {
  once();
  const end = performance.now();
  latencies.push(end - t);
  t = end;
}
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
db.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ perSecond: latencies.length / seconds, p50Ms: at(50), p99Ms: at(99) })}\n`);
