#!/usr/bin/env node
// `npm run restore -- --from FILE --data-dir DIR`: puts a backup (from `npm run backup`) in place as DIR's SQLite
// store, for a server to start on. Refuses a data directory a running server holds, a store already there (unless
// --force, which keeps the old one beside it), and a file that is damaged or made by a newer server.
// Exit 0: restored; 1: failed; 2: refused.
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrations } from '../store/sql/schema.ts';
import { sqliteFileHeld } from '../store/sqlite/held-by-server.ts';
import { checkSqliteFile } from './sqlite-file.ts';
import { CommandRefused, runCommand } from './command.ts';

const USAGE = `usage: npm run restore -- --from FILE --data-dir DIR [--force]
  --from      a backup written by npm run backup
  --data-dir  the data directory to restore into; no server may be running on it
  --force     replace a store already in DIR (it is kept as cognito-sync.db.before-restore-TIME)`;

const STORE_FILE = 'cognito-sync.db';
/** SQLite's companions of a database file: a stale one beside the restored file would be replayed into it. */
const COMPANIONS = ['-wal', '-shm', '-journal'];


const print = (line: string) => process.stdout.write(`${line}\n`);

function fsyncPath(path: string) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: { from: { type: 'string' }, 'data-dir': { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new CommandRefused(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (!values.from) throw new CommandRefused(`--from is required\n${USAGE}`);
  if (!values['data-dir']) throw new CommandRefused(`--data-dir is required\n${USAGE}`);
  const from = resolve(values.from);
  const dataDir = resolve(values['data-dir']);
  if (!existsSync(from)) throw new CommandRefused(`${from} does not exist`);

  let schemaVersion: number;
  try {
    ({ schemaVersion } = checkSqliteFile(from));
  } catch (error) {
    throw new CommandRefused(`${from} is not a usable backup: ${(error as Error).message}`);
  }
  const newest = Math.max(...migrations.map((m) => m.version));
  if (schemaVersion === 0) throw new CommandRefused(`${from} is a SQLite file but not a cognito-sync-server store (no schema_migrations table)`);
  if (schemaVersion > newest) {
    throw new CommandRefused(`${from} was made by a newer server (schema version ${schemaVersion}; this one knows up to ${newest}): restore it with that version`);
  }
  print(`${from}: integrity check ok, schema version ${schemaVersion}`);

  const target = join(dataDir, STORE_FILE);
  let keptAs: string | undefined;
  if (existsSync(target)) {
    if (sqliteFileHeld(target)) {
      throw new CommandRefused(`${dataDir} is in use by a running server (it holds ${target} locked): stop it before restoring`);
    }
    if (!values.force) throw new CommandRefused(`${dataDir} already holds a store (${target}): pass --force to replace it (the old one is kept beside it)`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  // Copy beside the target first, so a failure leaves the data directory as it was.
  const incoming = `${target}.restoring`;
  copyFileSync(from, incoming);
  chmodSync(incoming, 0o600);
  fsyncPath(incoming);
  if (existsSync(target)) {
    keptAs = `${target}.before-restore-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}`;
    renameSync(target, keptAs);
    for (const suffix of COMPANIONS) if (existsSync(target + suffix)) renameSync(target + suffix, keptAs + suffix);
  }
  for (const suffix of COMPANIONS) if (existsSync(target + suffix)) throw new Error(`${target + suffix} appeared during the restore`);
  renameSync(incoming, target);
  fsyncPath(dataDir);
  print(`restored ${from} into ${dataDir} (${statSync(target).size} bytes)${keptAs ? `; the store it replaced is kept as ${keptAs}` : ''}`);
  print(`start the server with --data-dir ${dataDir}. Developer keys are in the store; the generated-key file (credentials) is not part of a backup.`);
  return 0;
}

runCommand('restore', main);
