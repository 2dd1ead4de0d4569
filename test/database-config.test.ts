// Choosing and reaching the database: bad settings are refused at start with a message and exit code 2;
// a database that cannot be used stops the start with exit code 1 and the reason, never a half-started node.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DescribeIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { createPool, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { databaseUrlFor, dropSchema, queryTestDatabase, skipUnlessPostgres, testSchemaName } from './helpers/postgres.ts';
import { newDeveloperCredentials, startServer } from './helpers/server.ts';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'cognito-sync-dbconfig-'));

function runCli(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  delete base.COGNITO_SYNC_DATABASE_URL;
  delete base.COGNITO_SYNC_DATABASE_SCHEMA;
  return spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir, ...args], { env: { ...base, ...env }, encoding: 'utf8', timeout: 20_000 });
}

after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('database configuration', { timeout: 300_000 }, () => {
  it('refuses malformed database and Redis settings with exit code 2 and a message naming the problem', () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--database-url', 'mysql://localhost/db'], {}, /database-url must start with postgres:\/\//],
      [['--database-url', 'not a url'], {}, /database-url must be a URL/],
      [[], { COGNITO_SYNC_DATABASE_URL: 'postgres://127.0.0.1/test?schema=Bad-Name' }, /database schema must be .*'Bad-Name'/],
      [['--database-url', 'postgres://127.0.0.1/test', '--database-schema', '1abc'], {}, /database schema must be/],
      [['--database-url', 'postgres://127.0.0.1/test', '--database-pool-size', '0'], {}, /database-pool-size must be an integer from 1/],
      [['--redis-url', 'http://127.0.0.1:6379'], {}, /redis-url must start with redis:\/\//],
      [['--shutdown-grace-seconds', 'soon'], {}, /shutdown-grace-seconds must be an integer/],
    ];
    for (const [args, env, message] of cases) {
      const result = runCli(args, env);
      assert.equal(result.status, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('an unreachable database stops the start with exit code 1 and the reason', () => {
    const result = runCli(['--database-url', 'postgres://postgres@127.0.0.1:1/test']);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /failed to start: .*(ECONNREFUSED|connect)/);
    assert.doesNotMatch(result.stdout, /listening on/);
  });
});

describe('database schema versions', { skip: await skipUnlessPostgres(), timeout: 300_000 }, () => {
  const schema = testSchemaName();
  after(async () => {
    await dropSchema(schema);
  });

  it('a node older than the database schema refuses to start; the schema is left as it was', async () => {
    const node = await startServer({ developer: newDeveloperCredentials(), args: ['--database-url', databaseUrlFor(schema)] });
    await node.dispose();
    await queryTestDatabase(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES (999, 'from a newer release')`);
    const result = runCli(['--database-url', databaseUrlFor(schema)]);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /schema is at version 999 but this server knows versions up to \d+; upgrade this node/);
    const versions = await queryTestDatabase<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    assert.equal(versions.at(-1)!.version, 999);
  });

  it('a running node keeps serving after a newer release adds columns (a rolling upgrade)', async () => {
    const upgrading = testSchemaName();
    const node = await startServer({ developer: newDeveloperCredentials(), args: ['--database-url', databaseUrlFor(upgrading)] });
    try {
      const pool = await createPool(node);
      const user = await unauthenticatedIdentity(node, pool);
      const sync = node.syncClient(user.credentials);
      const where = { IdentityPoolId: pool, IdentityId: user.identityId, DatasetName: 'd' };
      const cycle = async (value: string) => {
        const pulled = await sync.send(new ListRecordsCommand({ ...where, LastSyncCount: 0 }));
        const current = pulled.Records!.find((r) => r.Key === 'k')?.SyncCount ?? 0;
        await sync.send(new UpdateRecordsCommand({ ...where, SyncSessionToken: pulled.SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: value, SyncCount: current }] }));
        await node.identityClient().send(new DescribeIdentityPoolCommand({ IdentityPoolId: pool }));
      };
      // Twice, so every statement the node uses is prepared on its connections before the schema changes.
      await cycle('before-1');
      await cycle('before-2');
      for (const table of ['developer_keys', 'identity_pools', 'identities', 'identity_logins', 'datasets', 'dataset_records', 'pool_sync_configuration']) {
        await queryTestDatabase(`ALTER TABLE ${upgrading}.${table} ADD COLUMN added_by_next_release TEXT`);
      }
      await cycle('after');
      const listed = await sync.send(new ListRecordsCommand({ ...where, LastSyncCount: 0 }));
      assert.equal(listed.Records![0]!.Value, 'after');
    } finally {
      await node.dispose();
      await dropSchema(upgrading);
    }
  });

  it('a database URL may choose its schema with ?schema=, and COGNITO_SYNC_DATABASE_SCHEMA overrides it', async () => {
    const other = testSchemaName();
    try {
      const node = await startServer({
        developer: newDeveloperCredentials(),
        args: ['--database-url', databaseUrlFor(schema)],
        env: { COGNITO_SYNC_DATABASE_SCHEMA: other },
      });
      await node.dispose();
      const tables = await queryTestDatabase<{ n: number }>('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [other]);
      assert.ok(tables[0]!.n >= 5, `tables were created in ${other}`);
    } finally {
      await dropSchema(other);
    }
  });
});
