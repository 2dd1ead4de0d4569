#!/usr/bin/env node
// `npm run keys -- list | create [--account-id N | --new-account] | revoke <access key id>`: the developer keys in
// the store. A key belongs to an account (12 digits); each account sees only its own pools, so a second account
// is a second key with its own --account-id. Revoking keeps the key's row (marked revoked): it stops signing on
// every node at its next request, and a node whose environment still configures it refuses to start.
// Exit 0: done; 1: the command ran but could not do what was asked (no such key); 2: refused to run.
import { parseArgs } from 'node:util';
import { ACCOUNT_ID, generateAccessKeyId, generateAccountId, generateSecretAccessKey } from '../auth/developer-key-material.ts';
import type { DeveloperKey, Store } from '../store/store.ts';
import { openAdminStore, STORE_OPTIONS, STORE_USAGE } from './admin-store.ts';
import { CommandRefused, runCommand } from './command.ts';

const USAGE = `usage: npm run keys -- list ${STORE_USAGE}
       npm run keys -- create [--account-id 123456789012 | --new-account] ${STORE_USAGE}
       npm run keys -- revoke AKIA… ${STORE_USAGE}
The store is the server's: the same flags, or COGNITO_SYNC_DATA_DIR / COGNITO_SYNC_DATABASE_URL (default ./data).`;

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { ...STORE_OPTIONS, 'account-id': { type: 'string' }, 'new-account': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new CommandRefused((error as Error).message);
  }
}

const status = (key: DeveloperKey) => (key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active');

function list(keys: DeveloperKey[]): string {
  if (keys.length === 0) return 'no developer keys in the store\n';
  const rows = [['ACCESS KEY ID', 'ACCOUNT ID', 'CREATED', 'STATUS'], ...keys.map((k) => [k.accessKeyId, k.accountId, k.createdAt.toISOString(), status(k)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** The account a new key goes to: the one named; a new one; or the store's only account. */
function accountFor(keys: DeveloperKey[], named: string | undefined, newAccount: boolean): string {
  if (named !== undefined) return named;
  const accounts = [...new Set(keys.filter((k) => !k.revokedAt).map((k) => k.accountId))];
  if (newAccount || accounts.length === 0) return generateAccountId();
  if (accounts.length === 1) return accounts[0]!;
  throw new CommandRefused(`the store holds keys of several accounts (${accounts.join(', ')}): choose one with --account-id, or --new-account`);
}

async function create(store: Store, values: { 'account-id'?: string; 'new-account'?: boolean }, where: { kind: string }): Promise<string> {
  const accountId = accountFor(await store.listDeveloperKeys(), values['account-id'], values['new-account'] === true);
  const key: DeveloperKey = { accessKeyId: generateAccessKeyId(), secretAccessKey: generateSecretAccessKey(), accountId, createdAt: new Date() };
  // 32^16 ids: a collision is next to impossible, but a taken id is never overwritten.
  if (!(await store.createDeveloperKey(key))) throw new Error(`access key id ${key.accessKeyId} is taken; run the command again`);
  return (
    'created a developer key (the secret is shown once: `npm run keys -- list` never shows it):\n' +
    `  account id:        ${key.accountId}\n` +
    `  access key id:     ${key.accessKeyId}\n` +
    `  secret access key: ${key.secretAccessKey}\n` +
    (where.kind === 'postgres' ? 'Every node accepts it from its next request.\n' : 'The server accepts it once started.\n')
  );
}

async function revoke(store: Store, accessKeyId: string): Promise<{ text: string; code: number }> {
  const outcome = await store.revokeDeveloperKey(accessKeyId, new Date());
  if (outcome === 'not-found') return { text: `no developer key ${accessKeyId} in the store\n`, code: 1 };
  const keys = await store.listDeveloperKeys();
  const key = keys.find((k) => k.accessKeyId === accessKeyId)!;
  if (outcome === 'already-revoked') return { text: `${accessKeyId} was already revoked (${key.revokedAt!.toISOString()})\n`, code: 0 };
  const left = keys.filter((k) => k.accountId === key.accountId && !k.revokedAt).length;
  return {
    text:
      `revoked ${accessKeyId} (account ${key.accountId}): every node refuses it from its next request.\n` +
      'A node whose COGNITO_SYNC_ACCESS_KEY_ID names it will refuse to start until that is changed.\n' +
      (left === 0
        ? `Account ${key.accountId} has no active key left; its pools and data stay. \`npm run keys -- create --account-id ${key.accountId}\` makes a new one.\n`
        : ''),
    code: 0,
  };
}

async function main(): Promise<number> {
  const { values, positionals } = parse(process.argv.slice(2));
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!['list', 'create', 'revoke'].includes(command)) throw new CommandRefused(`unknown command '${command}'\n${USAGE}`);
  if (rest.length > (command === 'revoke' ? 1 : 0)) throw new CommandRefused(`unexpected argument '${rest.at(-1)}'\n${USAGE}`);
  // Everything the arguments alone decide is checked before the store is opened.
  const named = values['account-id'];
  if (command !== 'create' && (named !== undefined || values['new-account'])) throw new CommandRefused('--account-id and --new-account go with create');
  if (named !== undefined && values['new-account']) throw new CommandRefused('give either --account-id or --new-account, not both');
  if (named !== undefined && !ACCOUNT_ID.test(named)) throw new CommandRefused(`--account-id must be 12 digits, got '${named}'`);
  const accessKeyId = rest[0];
  if (command === 'revoke') {
    if (accessKeyId === undefined) throw new CommandRefused('name the key to revoke: npm run keys -- revoke AKIA…');
    if (!ACCESS_KEY_ID.test(accessKeyId)) throw new CommandRefused(`an access key id is 16-128 upper-case letters and digits, got '${accessKeyId}'`);
  }
  const opened = await openAdminStore(values, process.env, { mayCreate: command === 'create' });
  process.stderr.write(`keys: ${opened.describe}\n`);
  try {
    if (command === 'list') {
      process.stdout.write(list(await opened.store.listDeveloperKeys()));
      return 0;
    }
    if (command === 'create') {
      process.stdout.write(await create(opened.store, values, opened));
      return 0;
    }
    const { text, code } = await revoke(opened.store, accessKeyId!);
    (code === 0 ? process.stdout : process.stderr).write(text);
    return code;
  } finally {
    await opened.store.close();
  }
}

runCommand('keys', main);
