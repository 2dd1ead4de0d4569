#!/usr/bin/env node
// `npm run backup -- --to FILE`: a consistent copy of the embedded SQLite store, taken while the server keeps serving.
// A running server holds its database file locked, so it takes the copy itself (POST /operator/backup, signed with
// a developer key) into its data directory, and this command moves it to FILE. With no server holding the store,
// the command copies the file directly. Exit 0: FILE written and checked; 1: the backup failed; 2: refused to start.
import { copyFileSync, existsSync, fsyncSync, openSync, closeSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import type { BackupEvent } from './backup-runner.ts';
import { callOperator, developerKeyFor, errorMessageOf } from './operator-client.ts';
import { sqliteFileHeld } from '../store/sqlite/held-by-server.ts';
import { checkSqliteFile } from './sqlite-file.ts';
import { CommandRefused, runCommand } from './command.ts';

const USAGE = `usage: npm run backup -- --to FILE [--data-dir DIR] [--endpoint-url URL] [--region REGION]
  --to            the backup file to write (must not exist)
  --data-dir      the server's data directory (default ./data, or COGNITO_SYNC_DATA_DIR)
  --endpoint-url  the running server (default http://127.0.0.1:PORT, PORT from COGNITO_SYNC_PORT or 4650)
  --region        the server's region, for the signature (default COGNITO_SYNC_REGION or us-east-1)
The developer key comes from COGNITO_SYNC_ACCESS_KEY_ID/COGNITO_SYNC_SECRET_ACCESS_KEY, AWS_ACCESS_KEY_ID/
AWS_SECRET_ACCESS_KEY, or DIR/credentials. PostgreSQL stores are backed up with pg_dump (README, "Backups").`;

const STORE_FILE = 'cognito-sync.db';


const print = (line: string) => process.stdout.write(`${line}\n`);

function percent(totalPages: number, remainingPages: number): string {
  if (totalPages === 0) return '100%';
  return `${Math.floor(((totalPages - remainingPages) / totalPages) * 100)}%`;
}

/** Prints one progress line per whole percent reached (a step copies many pages, so this stays short). */
function progressPrinter() {
  let last = '';
  const show = (totalPages: number, remainingPages: number) => {
    const shown = percent(totalPages, remainingPages);
    if (shown === last) return;
    last = shown;
    print(`progress: ${shown} (${totalPages - remainingPages} of ${totalPages} pages)`);
  };
  return Object.assign(show, {
    /** SQLite reports no step for a copy that fits in one: say 100% at the end all the same. */
    finish: (pages: number) => show(pages, 0),
  });
}

/** Moves `from` to `to` across file systems if need be, durably. */
function moveFile(from: string, to: string) {
  const partial = `${to}.partial`;
  try {
    renameSync(from, partial);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyFileSync(from, partial);
    unlinkSync(from);
  }
  const fd = openSync(partial, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(partial, to);
}

async function backupDirectly(storeFile: string, to: string) {
  print(`no server holds ${storeFile}: copying it directly`);
  const db = new DatabaseSync(storeFile, { timeout: 0 });
  const partial = `${to}.partial`;
  const started = performance.now();
  try {
    const show = progressPrinter();
    const pages = await backup(db, partial, { rate: 1024, progress: ({ totalPages, remainingPages }) => show(totalPages, remainingPages) });
    show.finish(pages);
    db.close();
    renameSync(partial, to);
    return { pages, seconds: Math.round(performance.now() - started) / 1000 };
  } catch (error) {
    if (existsSync(partial)) unlinkSync(partial);
    throw error;
  } finally {
    if (db.isOpen) db.close();
  }
}

async function backupThroughServer(options: { endpointUrl: string; region: string; dataDir: string; to: string }) {
  const key = developerKeyFor(options.dataDir, process.env);
  if (!key) {
    throw new CommandRefused(`no developer key: set COGNITO_SYNC_ACCESS_KEY_ID and COGNITO_SYNC_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or keep the generated one in ${join(options.dataDir, 'credentials')}`);
  }
  print(`asking the server at ${options.endpointUrl} for an online backup (signed with the key from ${key.from})`);
  let answer;
  try {
    answer = await callOperator({ endpointUrl: options.endpointUrl, region: options.region, credentials: key.credentials, operation: 'backup' });
  } catch (error) {
    throw new Error(`the server at ${options.endpointUrl} did not answer (${(error as Error).message}); pass --endpoint-url if it listens elsewhere`);
  }
  if (answer.status !== 200) {
    let text = '';
    for await (const line of answer.lines) text += line;
    throw new Error(errorMessageOf(answer.status, text));
  }
  const show = progressPrinter();
  let done: Extract<BackupEvent, { event: 'done' }> | undefined;
  for await (const line of answer.lines) {
    const event = JSON.parse(line) as BackupEvent;
    if (event.event === 'started') print(`the server is writing ${event.file} in its data directory`);
    else if (event.event === 'progress') show(event.totalPages, event.remainingPages);
    else if (event.event === 'failed') throw new Error(`the server's backup failed: ${event.message}`);
    else done = event;
  }
  if (!done) throw new Error('the server closed the answer before the backup finished');
  show.finish(done.pages);
  const written = join(options.dataDir, done.file);
  if (!existsSync(written)) {
    throw new Error(`the server wrote ${done.file} in its data directory, but ${written} does not exist: run this on the server's machine with its --data-dir`);
  }
  moveFile(written, options.to);
  return { pages: done.pages, seconds: done.seconds };
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        to: { type: 'string' },
        'data-dir': { type: 'string' },
        'endpoint-url': { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CommandRefused(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (!values.to) throw new CommandRefused(`--to is required\n${USAGE}`);
  const to = resolve(values.to);
  if (existsSync(to)) throw new CommandRefused(`${to} already exists: choose a new file (a backup never overwrites one)`);
  if (!existsSync(dirname(to))) throw new CommandRefused(`the folder ${dirname(to)} does not exist`);
  const dataDir = resolve(values['data-dir'] ?? process.env.COGNITO_SYNC_DATA_DIR ?? './data');
  const endpointUrl = values['endpoint-url'] ?? `http://127.0.0.1:${process.env.COGNITO_SYNC_PORT ?? '4650'}`;
  const region = values.region ?? process.env.COGNITO_SYNC_REGION ?? 'us-east-1';
  const storeFile = join(dataDir, STORE_FILE);

  const result =
    existsSync(storeFile) && !sqliteFileHeld(storeFile)
      ? await backupDirectly(storeFile, to)
      : await backupThroughServer({ endpointUrl, region, dataDir, to });
  const { schemaVersion } = checkSqliteFile(to);
  print(`backup complete: ${to} (${statSync(to).size} bytes, ${result.pages} pages, schema version ${schemaVersion}, ${result.seconds} s; integrity check ok)`);
  return 0;
}

runCommand('backup', main);
