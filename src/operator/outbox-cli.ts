#!/usr/bin/env node
// `npm run outbox -- status | dead-letters [--limit N] | retry-dead [--id N …]`: the deliveries waiting in the
// outbox (Cognito Streams records, BulkPublish jobs, pushes) and the dead letters — items that failed
// --outbox-max-attempts times and wait for an operator. `retry-dead` makes them due again with a fresh count of
// attempts; any node's worker then delivers them (on SQLite, the server once started again).
// Exit 0: done; 1: the command ran but could not do what was asked (an id that is no dead letter); 2: refused.
import { parseArgs } from 'node:util';
import type { DeadLetter, OutboxKindDepth } from '../store/store.ts';
import { openAdminStore, STORE_OPTIONS, STORE_USAGE } from './admin-store.ts';
import { CommandRefused, runCommand } from './command.ts';

const USAGE = `usage: npm run outbox -- status ${STORE_USAGE}
       npm run outbox -- dead-letters [--limit 50] ${STORE_USAGE}
       npm run outbox -- retry-dead [--id N …] ${STORE_USAGE}
The store is the server's: the same flags, or COGNITO_SYNC_DATA_DIR / COGNITO_SYNC_DATABASE_URL (default ./data).`;

const MAX_LIMIT = 10_000;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { ...STORE_OPTIONS, limit: { type: 'string' }, id: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new CommandRefused((error as Error).message);
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function status(depths: OutboxKindDepth[]): string {
  if (depths.length === 0) return 'the outbox is empty\n';
  const total = (pick: (d: OutboxKindDepth) => number) => String(depths.reduce((sum, d) => sum + pick(d), 0));
  return table([
    ['KIND', 'PENDING', 'DEAD LETTERS'],
    ...depths.map((d) => [d.kind, String(d.pending), String(d.deadLetters)]),
    ['total', total((d) => d.pending), total((d) => d.deadLetters)],
  ]);
}

function deadLetters(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'no dead letters\n';
  return table([
    ['ID', 'KIND', 'ORDERING KEY', 'ATTEMPTS', 'QUEUED', 'DEAD SINCE', 'LAST ERROR'],
    ...letters.map((l) => [String(l.id), l.kind, l.orderingKey, String(l.attempts), l.createdAt.toISOString(), l.deadAt.toISOString(), (l.lastError ?? '').replace(/\s+/g, ' ').slice(0, 200)]),
  ]);
}

function positiveInteger(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new CommandRefused(`${flag} must be an integer from 1 to ${max}, got '${text}'`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parse(process.argv.slice(2));
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!['status', 'dead-letters', 'retry-dead'].includes(command)) throw new CommandRefused(`unknown command '${command}'\n${USAGE}`);
  if (rest.length > 0) throw new CommandRefused(`unexpected argument '${rest[0]}'\n${USAGE}`);
  if (values.limit !== undefined && command !== 'dead-letters') throw new CommandRefused('--limit goes with dead-letters');
  if (values.id !== undefined && command !== 'retry-dead') throw new CommandRefused('--id goes with retry-dead');
  const limit = values.limit === undefined ? 50 : positiveInteger('--limit', values.limit, MAX_LIMIT);
  const ids = values.id?.map((id) => positiveInteger('--id', id, Number.MAX_SAFE_INTEGER));

  const opened = await openAdminStore(values, process.env, { mayCreate: false });
  process.stderr.write(`outbox: ${opened.describe}\n`);
  try {
    const { store } = opened;
    if (command === 'status') {
      process.stdout.write(status(await store.outboxDepthByKind()));
      return 0;
    }
    if (command === 'dead-letters') {
      process.stdout.write(deadLetters(await store.listDeadLetters(limit)));
      return 0;
    }
    const retried = await store.retryDeadLetters(new Date(), ids && [...new Set(ids)]);
    const when = opened.kind === 'postgres' ? 'the nodes deliver them now' : 'the server delivers them once started';
    process.stdout.write(`${retried} dead letter${retried === 1 ? '' : 's'} due again; ${when}\n`);
    if (ids && retried < new Set(ids).size) {
      process.stderr.write(`outbox: ${new Set(ids).size - retried} of the ids named no dead letter (see npm run outbox -- dead-letters)\n`);
      return 1;
    }
    return 0;
  } finally {
    await opened.store.close();
  }
}

runCommand('outbox', main);
