// Developer key management (`npm run keys -- list | create | revoke`) against the store the server uses: on SQLite
// with the server stopped (a running server holds the file, and the command says so), on PostgreSQL while
// servers serve. A created key signs, a revoked one is refused at once on every node, a revoked key configured
// by environment is not brought back (the node refuses to start, saying why), and a second account is a key
// of its own that sees only its own pools.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import type { AwsCredentialIdentity } from '@smithy/types';
import { databaseUrlFor, dropSchema, skipUnlessPostgresPass, testSchemaName } from './helpers/postgres.ts';
import { type DeveloperCredentials, errorOf, newDeveloperCredentials, startServer, TEST_STORE, type TestServer } from './helpers/server.ts';

const KEYS_CLI = new URL('../dist/operator/keys-cli.js', import.meta.url).pathname;

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run keys -- …` as the operator would (the compiled command, the test's own Node). */
function keys(args: string[], env: Record<string, string | undefined> = {}): CliRun {
  const result = spawnSync(process.execPath, [KEYS_CLI, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The flags that name a test server's store, for the command. */
const storeOf = (server: TestServer) =>
  TEST_STORE === 'postgres' ? ['--database-url', databaseUrlFor(testSchemaName(server.dataDir))] : ['--data-dir', server.dataDir];

/** What `create` printed, parsed. */
function createdKey(run: CliRun): DeveloperCredentials {
  assert.equal(run.status, 0, run.stderr);
  const field = (name: string) => new RegExp(`${name}:\\s+(\\S+)`).exec(run.stdout)?.[1] ?? '';
  return { accountId: field('account id'), accessKeyId: field('access key id'), secretAccessKey: field('secret access key') };
}

/** The rows of `list`: access key id → [account, status]. */
function listed(run: CliRun): Map<string, [string, string]> {
  assert.equal(run.status, 0, run.stderr);
  const rows = run.stdout.trim().split('\n').slice(1).map((line) => line.split(/\s{2,}/));
  return new Map(rows.map(([id, account, , state]) => [id!, [account!, state!.startsWith('revoked') ? 'revoked' : state!]]));
}

const poolsOf = async (server: TestServer, credentials: AwsCredentialIdentity) =>
  ((await server.identityClient(credentials).send(new ListIdentityPoolsCommand({ MaxResults: 60 }))).IdentityPools ?? []).map((p) => p.IdentityPoolName);

const createPool = (server: TestServer, credentials: AwsCredentialIdentity, IdentityPoolName: string) =>
  server.identityClient(credentials).send(new CreateIdentityPoolCommand({ IdentityPoolName, AllowUnauthenticatedIdentities: true }));

describe(`npm run keys [${TEST_STORE}]`, { timeout: 120_000 }, () => {
  const serving = TEST_STORE === 'postgres';
  let first: TestServer;
  let server: TestServer;
  const operator = newDeveloperCredentials();
  /** On SQLite the command needs the server stopped; on PostgreSQL it runs beside it. */
  async function withStore<T>(work: () => T | Promise<T>): Promise<T> {
    if (serving) return work();
    await server.stop();
    const result = await work();
    server = await startServer({ dataDir: server.dataDir, developer: operator });
    return result;
  }
  before(async () => {
    server = first = await startServer({ developer: operator });
  });
  after(async () => {
    await server.dispose();
    // The first start owns the data directory (and schema): disposing it removes them.
    await first.dispose();
  });

  it('create prints a new key once; it signs; list shows every key without secrets; revoke stops it at once', async () => {
    const created = await withStore(() => createdKey(keys(['create', ...storeOf(server)])));
    assert.match(created.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.ok(created.secretAccessKey.length >= 40);
    assert.equal(created.accountId, operator.accountId, 'the store has one account: the new key joins it');
    await createPool(server, created, 'made-with-the-new-key');
    assert.ok((await poolsOf(server, operator)).includes('made-with-the-new-key'), 'same account, same pools');

    const list = await withStore(() => keys(['list', ...storeOf(server)]));
    assert.deepEqual(listed(list).get(created.accessKeyId), [operator.accountId, 'active']);
    assert.deepEqual(listed(list).get(operator.accessKeyId), [operator.accountId, 'active']);
    assert.ok(!list.stdout.includes(created.secretAccessKey) && !list.stdout.includes(operator.secretAccessKey), 'no secret is listed');

    const revoked = await withStore(() => keys(['revoke', created.accessKeyId, ...storeOf(server)]));
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`revoked ${created.accessKeyId} \\(account ${operator.accountId}\\)`));
    // No cache anywhere: the very next request is refused.
    const refused = await errorOf(poolsOf(server, created));
    assert.equal(refused.name, 'UnrecognizedClientException');
    assert.equal(refused.$metadata.httpStatusCode, 403);
    assert.ok((await poolsOf(server, operator)).includes('made-with-the-new-key'), 'the other key and the pools are untouched');

    const again = await withStore(() => [keys(['revoke', created.accessKeyId, ...storeOf(server)]), keys(['list', ...storeOf(server)])] as const);
    assert.equal(again[0].status, 0);
    assert.match(again[0].stdout, /was already revoked/);
    assert.deepEqual(listed(again[1]).get(created.accessKeyId), [operator.accountId, 'revoked']);
    const unknown = await withStore(() => keys(['revoke', 'AKIANOSUCHKEY0000000', ...storeOf(server)]));
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no developer key AKIANOSUCHKEY0000000 in the store/);
  });

  it('a second account is a key created with --account-id (or --new-account): it sees only its own pools', async () => {
    const second = await withStore(() => createdKey(keys(['create', '--account-id', '210987654321', ...storeOf(server)])));
    assert.equal(second.accountId, '210987654321');
    const third = await withStore(() => createdKey(keys(['create', '--new-account', ...storeOf(server)])));
    assert.match(third.accountId, /^\d{12}$/);
    assert.notEqual(third.accountId, operator.accountId);
    await createPool(server, second, 'second-account-pool');
    assert.deepEqual(await poolsOf(server, second), ['second-account-pool']);
    assert.deepEqual(await poolsOf(server, third), []);
    assert.ok(!(await poolsOf(server, operator)).includes('second-account-pool'));
    // With several accounts in the store, create must be told which.
    const ambiguous = await withStore(() => keys(['create', ...storeOf(server)]));
    assert.equal(ambiguous.status, 2);
    assert.match(ambiguous.stderr, /several accounts .* choose one with --account-id, or --new-account/);
  });

  it('a revoked key configured by environment is refused at start, saying why; it stays revoked', async () => {
    const envKey = newDeveloperCredentials();
    const node = await startServer({ developer: envKey });
    try {
      if (!serving) await node.stop();
      assert.equal(keys(['revoke', envKey.accessKeyId, ...storeOf(node)]).status, 0);
      // The node that started with it stops accepting it too, at once.
      if (serving) assert.equal((await errorOf(poolsOf(node, envKey))).name, 'UnrecognizedClientException');
      await node.stop();
      const restart = await errorOf(startServer({ dataDir: node.dataDir, developer: envKey }));
      assert.match(restart.message, /exited with 1 before listening/);
      assert.match(restart.message, new RegExp(`the developer key ${envKey.accessKeyId} configured by COGNITO_SYNC_ACCESS_KEY_ID was revoked at`));
      assert.match(restart.message, /a revoked key is never brought back\. Remove COGNITO_SYNC_ACCESS_KEY_ID/);
      assert.doesNotMatch(restart.message, /\n\s+at /, 'no stack trace');
      assert.deepEqual(listed(keys(['list', ...storeOf(node)])).get(envKey.accessKeyId)?.[1], 'revoked');
    } finally {
      await node.dispose();
    }
  });

  it('refuses bad arguments with exit 2 and a message', () => {
    const cases: Array<[string[], RegExp]> = [
      [['rotate'], /unknown command 'rotate'/],
      [['create', '--account-id', '12345', ...storeOf(server)], /--account-id must be 12 digits/],
      [['revoke', 'not-a-key', ...storeOf(server)], /an access key id is 16-128 upper-case letters and digits/],
      [['list', '--account-id', '123456789012'], /--account-id and --new-account go with create/],
      [['list', '--data-dir', '/nonexistent/cognito-sync-keys-test'], /there is no store in \/nonexistent\/cognito-sync-keys-test/],
    ];
    for (const [args, message] of cases) {
      const run = keys(args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  // PostgreSQL has no such case: the command runs beside servers (the tests above do exactly that).
  if (!serving) it('on SQLite, says so when a running server holds the store', async () => {
    const run = keys(['create', ...storeOf(server)]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /in use by a running server: a server keeps its database file locked while it runs \(SQLite EXCLUSIVE locking mode\)/);
    assert.match(run.stderr, /Stop the server, run this command, then start the server again/);
  });
});

const twoNodesSkip = await skipUnlessPostgresPass();

describe('npm run keys with two nodes serving one PostgreSQL database', { skip: twoNodesSkip, timeout: 120_000 }, () => {
  const schema = testSchemaName();
  const store = ['--database-url', databaseUrlFor(schema)];
  const operator = newDeveloperCredentials();
  let nodes: TestServer[] = [];
  before(async () => {
    nodes = [await startServer({ developer: operator, args: store }), await startServer({ developer: operator, args: store })];
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.dispose()));
    await dropSchema(schema);
  });

  it('a key created while both serve signs on both; revoked, it is refused by both on their next request', async () => {
    const key = createdKey(keys(['create', ...store]));
    for (const node of nodes) assert.deepEqual(await poolsOf(node, key), []);
    const revoked = keys(['revoke', key.accessKeyId, ...store]);
    assert.equal(revoked.status, 0, revoked.stderr);
    for (const node of nodes) {
      const refused = await errorOf(poolsOf(node, key));
      assert.equal(refused.name, 'UnrecognizedClientException', `${node.url}: ${refused.message}`);
    }
    for (const node of nodes) assert.deepEqual(await poolsOf(node, operator), [], 'the nodes themselves keep serving');
  });
});
