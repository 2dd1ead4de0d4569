// Moving data off AWS (`npm run import`), end to end. The source is this server itself, which speaks Cognito
// Identity and Cognito Sync as AWS does: pools, identities and datasets are made there through the AWS SDK the
// way apps and backends make them, imported into another store, and a server started on that store must then
// answer devices exactly as the source did, so they carry on without a conflict or a full resync.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateIdentityPoolCommand,
  DescribeIdentityCommand,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdentityPoolRolesCommand,
  GetIdCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  ListIdentitiesCommand,
  LookupDeveloperIdentityCommand,
  MergeDeveloperIdentitiesCommand,
  SetIdentityPoolRolesCommand,
  UnlinkDeveloperIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  type CognitoSyncClient,
  GetCognitoEventsCommand,
  GetIdentityPoolConfigurationCommand,
  ListDatasetsCommand,
  ListRecordsCommand,
  SetCognitoEventsCommand,
  SetIdentityPoolConfigurationCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { planLogins, loginsFor } from '../src/import/identity-logins.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { COGNITO_LOGIN, DEVELOPER_PROVIDER, developerIdentity, type IdentityWithCredentials, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { LambdaStandIn } from './helpers/lambda-stand-in.ts';
import { databaseUrlFor, dropSchema, queryTestDatabase, TEST_DATABASE_URL, testSchemaName } from './helpers/postgres.ts';
import { type DeveloperCredentials, errorOf, newDeveloperCredentials, startServer, TEST_STORE, type TestServer } from './helpers/server.ts';
import { SyncDevice } from './helpers/sync-device.ts';

const CLI = new URL('../dist/import/cli.js', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run import -- …args`, with the source developer key as the standard AWS credentials and nothing else. */
function runImport(args: string[], credentials?: { accessKeyId: string; secretAccessKey: string }): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') || name.startsWith('COGNITO_SYNC_')) delete env[name];
  Object.assign(env, {
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    ...(credentials ? { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey } : {}),
  });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One line of the summary as numbers: `datasets: 6 read; 6 created, 0 updated, …` → { read: 6, created: 6, updated: 0, … }. */
function summaryLine(run: Run, label: string): Record<string, number> {
  const line = run.stdout.split('\n').find((l) => l.trimStart().startsWith(`${label}:`));
  assert.ok(line, `no '${label}:' line in the summary:\n${run.stdout}\n${run.stderr}`);
  const counts: Record<string, number> = {};
  for (const [, n, what] of line.slice(line.indexOf(':') + 1).matchAll(/(\d+) ([a-z][a-z ]*?)(?=[,;()]|$)/g)) counts[what!.trim()] = Number(n);
  return counts;
}

const strip = <T extends object>(answer: T) => {
  const { $metadata: _m, SyncSessionToken: _s, NextToken: _n, ...rest } = answer as T & { $metadata?: unknown; SyncSessionToken?: unknown; NextToken?: unknown };
  return rest;
};

interface Scene {
  poolId: string;
  closedPoolId: string;
  unauthenticated: IdentityWithCredentials;
  player: IdentityWithCredentials;
  unlinked: IdentityWithCredentials;
  survivor: IdentityWithCredentials;
  mergedAway: IdentityWithCredentials;
  /** The device of `unauthenticated`, synced three times against the source. */
  device: SyncDevice;
}

/** One sync step with `client`: pull for a session token, push the patches. */
async function push(client: CognitoSyncClient, address: { IdentityPoolId: string; IdentityId: string; DatasetName: string }, patches: Array<{ Op: 'replace' | 'remove'; Key: string; Value?: string; SyncCount: number }>) {
  const { SyncSessionToken } = await client.send(new ListRecordsCommand(address));
  return client.send(new UpdateRecordsCommand({ ...address, SyncSessionToken, RecordPatches: patches.map((p) => ({ ...p, DeviceLastModifiedDate: new Date(Date.now() - 1234) })) }));
}

/** What the pools hold, read through the API, for comparing a source with its copy. */
async function snapshot(server: TestServer, developer: DeveloperCredentials, poolIds: string[]) {
  const identity = server.identityClient(developer);
  const sync = server.syncClient(developer);
  const pools = [];
  for (const IdentityPoolId of poolIds) {
    const identities = strip(await identity.send(new ListIdentitiesCommand({ IdentityPoolId, MaxResults: 60 })));
    const datasets: Record<string, unknown> = {};
    for (const { IdentityId } of identities.Identities ?? []) {
      const listed = strip(await sync.send(new ListDatasetsCommand({ IdentityPoolId, IdentityId })));
      datasets[IdentityId!] = listed;
      for (const { DatasetName } of listed.Datasets ?? []) {
        datasets[`${IdentityId}/${DatasetName}`] = strip(await sync.send(new ListRecordsCommand({ IdentityPoolId, IdentityId, DatasetName, LastSyncCount: 0 })));
      }
    }
    pools.push({
      pool: strip(await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId }))),
      roles: strip(await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId }))),
      configuration: strip(await sync.send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId }))),
      events: strip(await sync.send(new GetCognitoEventsCommand({ IdentityPoolId }))),
      identities,
      datasets,
    });
  }
  return pools;
}

describe('moving data off AWS: npm run import', { timeout: 300_000 }, () => {
  let lambda: LambdaStandIn;
  let source: TestServer;
  let target: TestServer | undefined;
  const targetDir = mkdtempSync(join(tmpdir(), 'import-target-'));
  const targetDeveloper = newDeveloperCredentials();
  const extraDirs: string[] = [];
  let scene: Scene;
  let sourceBefore: Awaited<ReturnType<typeof snapshot>>;

  /** Where the import writes: the target server's store (its data directory, or its PostgreSQL schema). */
  const targetArgs = (dir = targetDir) => (TEST_STORE === 'postgres' ? ['--database-url', databaseUrlFor(testSchemaName(dir))] : ['--data-dir', dir]);
  const sourceArgs = () => ['--source-region', 'us-east-1', '--source-endpoint-url', source.url];
  const importInto = (args: string[], dir = targetDir) => runImport([...sourceArgs(), ...targetArgs(dir), ...args], source.developer);

  async function startTarget(): Promise<TestServer> {
    target ??= await startServer({ dataDir: targetDir, developer: targetDeveloper, env: lambda.env() });
    return target;
  }
  /** SQLite: a server holds its store while it runs, so the import needs it stopped; PostgreSQL: it keeps serving. */
  async function targetReadyForImport() {
    if (TEST_STORE === 'postgres') {
      await startTarget();
    } else if (target) {
      await target.stop();
      target = undefined;
    }
  }

  before(async () => {
    lambda = await new LambdaStandIn().start();
    lambda.register('echo', (event) => event);
    source = await startServer({ env: lambda.env() });
    const identity = source.identityClient();
    const sync = source.syncClient();

    const poolId = (
      await identity.send(
        new CreateIdentityPoolCommand({
          IdentityPoolName: 'game players',
          AllowUnauthenticatedIdentities: true,
          AllowClassicFlow: true,
          DeveloperProviderName: DEVELOPER_PROVIDER,
          SupportedLoginProviders: { 'graph.facebook.com': '1234567890' },
          IdentityPoolTags: { team: 'games' },
        }),
      )
    ).IdentityPoolId!;
    const closedPoolId = (await identity.send(new CreateIdentityPoolCommand({ IdentityPoolName: 'closed', AllowUnauthenticatedIdentities: false }))).IdentityPoolId!;
    await sync.send(
      new SetIdentityPoolConfigurationCommand({
        IdentityPoolId: poolId,
        PushSync: { ApplicationArns: ['arn:aws:sns:us-east-1:123456789012:app/GCM/game'], RoleArn: 'arn:aws:iam::123456789012:role/push' },
        CognitoStreams: { StreamName: 'game-events', RoleArn: 'arn:aws:iam::123456789012:role/streams', StreamingStatus: 'DISABLED' },
      }),
    );
    await sync.send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: lambda.arnOf('echo') } }));
    await identity.send(
      new SetIdentityPoolRolesCommand({
        IdentityPoolId: poolId,
        Roles: { authenticated: 'arn:aws:iam::123456789012:role/players', unauthenticated: 'arn:aws:iam::123456789012:role/guests' },
        RoleMappings: {
          [DEVELOPER_PROVIDER]: {
            Type: 'Rules',
            AmbiguousRoleResolution: 'AuthenticatedRole',
            RulesConfiguration: { Rules: [{ Claim: 'amr', MatchType: 'Contains', Value: ':user-1', RoleARN: 'arn:aws:iam::123456789012:role/first-player' }] },
          },
        },
      }),
    );

    // A device of an unauthenticated identity syncs three times: three records, then a change and a remove
    // (a tombstone), then a new record. Its count is then 3.
    const unauthenticated = await unauthenticatedIdentity(source, poolId);
    const device = new SyncDevice(source.syncClient(unauthenticated.credentials), { IdentityPoolId: poolId, IdentityId: unauthenticated.identityId, DatasetName: 'settings' });
    device.put('theme', 'dark');
    device.put('volume', '7');
    device.put('lang', 'en');
    await device.sync();
    device.put('volume', '9');
    device.remove('lang');
    await device.sync();
    device.put('font', 'sérif');
    await device.sync();
    assert.equal(device.lastSyncCount, 3);

    // A developer-authenticated player with two user identifiers, a dataset written by the device and one by the backend.
    const player = await developerIdentity(source, poolId, 'user-1');
    await identity.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: player.identityId, Logins: { [DEVELOPER_PROVIDER]: 'user-1-alt' } }));
    const playerDevice = source.syncClient(player.credentials);
    const game = { IdentityPoolId: poolId, IdentityId: player.identityId, DatasetName: 'game' };
    await push(playerDevice, game, [{ Op: 'replace', Key: 'level', Value: '1', SyncCount: 0 }, { Op: 'replace', Key: 'coins', Value: '10', SyncCount: 0 }]);
    await push(playerDevice, game, [{ Op: 'replace', Key: 'level', Value: '2', SyncCount: 1 }, { Op: 'remove', Key: 'coins', SyncCount: 1 }]);
    await push(sync, { ...game, DatasetName: 'profile' }, [{ Op: 'replace', Key: 'name', Value: 'Ada', SyncCount: 0 }]);

    // An identity whose only login was unlinked: disabled.
    const unlinked = await developerIdentity(source, poolId, 'user-2');
    await push(source.syncClient(unlinked.credentials), { IdentityPoolId: poolId, IdentityId: unlinked.identityId, DatasetName: 'old' }, [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]);
    await identity.send(new UnlinkDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: unlinked.identityId, DeveloperProviderName: DEVELOPER_PROVIDER, DeveloperUserIdentifier: 'user-2' }));

    // Two users merged: the survivor holds the other's dataset as notes.<its identity id>.
    const survivor = await developerIdentity(source, poolId, 'user-3');
    const mergedAway = await developerIdentity(source, poolId, 'user-4');
    await push(source.syncClient(survivor.credentials), { IdentityPoolId: poolId, IdentityId: survivor.identityId, DatasetName: 'notes' }, [{ Op: 'replace', Key: 'mine', Value: '3', SyncCount: 0 }]);
    await push(source.syncClient(mergedAway.credentials), { IdentityPoolId: poolId, IdentityId: mergedAway.identityId, DatasetName: 'notes' }, [{ Op: 'replace', Key: 'theirs', Value: '4', SyncCount: 0 }]);
    await identity.send(new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: DEVELOPER_PROVIDER, SourceUserIdentifier: 'user-4', DestinationUserIdentifier: 'user-3' }));

    scene = { poolId, closedPoolId, unauthenticated, player, unlinked, survivor, mergedAway, device };
    sourceBefore = await snapshot(source, source.developer, [poolId, closedPoolId]);
    assert.equal(sourceBefore[0]!.identities.Identities!.length, 4, 'the merged-away identity is not listed');
  });

  after(async () => {
    await target?.dispose();
    await source?.dispose();
    await lambda?.close();
    // The target's data directory (and, on PostgreSQL, its schema) outlive its servers: remove them here.
    for (const dir of [targetDir, ...extraDirs]) {
      rmSync(dir, { recursive: true, force: true });
      if (TEST_STORE === 'postgres') await dropSchema(testSchemaName(dir));
    }
  });

  it('bad arguments exit 2 with a message and the usage', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /--source-region is required/],
      [['--source-region', 'nowhere', '--all-pools'], /--source-region must look like us-east-1/],
      [['--source-region', 'us-east-1'], /name the pools to import/],
      [['--source-region', 'us-east-1', '--all-pools', '--identity-pool-id', 'us-east-1:0a1b'], /either --identity-pool-id or --all-pools/],
      [['--source-region', 'us-east-1', '--identity-pool-id', 'not a pool'], /--identity-pool-id must be an identity pool id/],
      [['--source-region', 'us-east-1', '--all-pools', '--concurrency', '0'], /--concurrency must be an integer from 1 to 64/],
      [['--source-region', 'us-east-1', '--all-pools', '--account-id', '12345'], /--account-id must be 12 digits/],
      [['--source-region', 'us-east-1', '--all-pools', '--data-dir', 'x', '--database-url', 'postgres://h/db'], /either --data-dir \(SQLite\) or --database-url/],
      [['--source-region', 'us-east-1', '--all-pools', '--database-url', 'mysql://h/db'], /database-url must start with postgres:\/\//],
      [['--source-region', 'us-east-1', '--all-pools', '--source-endpoint-url', 'ftp://x'], /--source-endpoint-url must be an http/],
      [['--source-region', 'us-east-1', '--all-pools', '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const run = await runImport(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /usage: npm run import/);
      assert.equal(run.stdout, '');
    }
    const help = await runImport(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run import -- --source-region REGION/);
  });

  it('refuses a target it must not write: a store a running SQLite server holds, a store without keys, an account without a key', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'import-empty-'));
    extraDirs.push(fresh);
    if (TEST_STORE === 'sqlite') {
      const noStore = await importInto(['--all-pools'], fresh);
      assert.equal(noStore.code, 2);
      assert.match(noStore.stderr, /there is no store in .* yet\. Start the server once on it/);
    }
    await startTarget();
    if (TEST_STORE === 'sqlite') {
      const held = await importInto(['--all-pools']);
      assert.equal(held.code, 2, held.stderr);
      assert.match(held.stderr, /in use by a running server: a server keeps its database file locked while it runs \(SQLite EXCLUSIVE locking mode\)/);
      assert.match(held.stderr, /Stop the server, run the import, then start the server again; or .* PostgreSQL/);
    }
    await targetReadyForImport();
    const unknownAccount = await importInto(['--all-pools', '--account-id', '999999999999']);
    assert.equal(unknownAccount.code, 2);
    assert.match(unknownAccount.stderr, new RegExp(`no developer key of account 999999999999 in the target store \\(accounts there: ${targetDeveloper.accountId}\\)`));
    assert.match(unknownAccount.stderr, /COGNITO_SYNC_ACCOUNT_ID=<account>/);
  });

  it('a dry run reads everything, says what it would do, and writes nothing', async () => {
    await targetReadyForImport();
    const run = await importInto(['--all-pools', '--dry-run']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /dry run: nothing was written/);
    assert.deepEqual(summaryLine(run, 'identity pools'), { read: 2, created: 2, updated: 0, unchanged: 0, refused: 0, failed: 0 });
    assert.equal(summaryLine(run, 'datasets').created, 6);
    assert.equal(summaryLine(run, 'records').written, 10);
    const server = await startTarget();
    const missing = await errorOf(server.identityClient().send(new DescribeIdentityPoolCommand({ IdentityPoolId: scene.poolId })));
    assert.equal(missing.name, 'ResourceNotFoundException');

    // Nor does it create a store that is not there yet.
    const nowhere = join(mkdtempSync(join(tmpdir(), 'import-dry-')), 'data');
    extraDirs.push(nowhere);
    const intoNothing = await importInto(['--identity-pool-id', scene.poolId, '--dry-run'], nowhere);
    assert.equal(intoNothing.code, 0, intoNothing.stdout + intoNothing.stderr);
    assert.match(intoNothing.stdout, /no store there yet/);
    assert.equal(summaryLine(intoNothing, 'identities').created, 4);
    if (TEST_STORE === 'sqlite') assert.equal(existsSync(nowhere), false);
    else assert.deepEqual(await queryTestDatabase('SELECT 1 FROM pg_namespace WHERE nspname = $1', [testSchemaName(nowhere)]), []);
  });

  it('imports every pool: ids, settings, identities, developer users and datasets with their counts; a second run changes nothing', async () => {
    await targetReadyForImport();
    const run = await importInto(['--all-pools', '--account-id', targetDeveloper.accountId, '--concurrency', '3']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(summaryLine(run, 'identity pools'), { read: 2, created: 2, updated: 0, unchanged: 0, refused: 0, failed: 0 });
    assert.deepEqual(summaryLine(run, 'identities'), {
      read: 4, unauthenticated: 1, 'developer authenticated': 2, 'public providers only': 0, disabled: 1,
      created: 4, updated: 0, unchanged: 0, skipped: 0, failed: 0,
    });
    assert.deepEqual(summaryLine(run, 'developer user identifiers'), { read: 4 });
    assert.deepEqual(summaryLine(run, 'datasets'), {
      read: 6, created: 6, updated: 0, unchanged: 0, 'target ahead': 0, diverged: 0, 'deleted on target': 0, skipped: 0, failed: 0,
    });
    assert.deepEqual(summaryLine(run, 'records'), { read: 10, removed: 2, written: 10 });
    assert.match(run.stdout, /serve the imported pools with --region us-east-1/);
    assert.match(run.stdout, /push sync: the pools' SNS applications were kept, but device registrations/);
    assert.match(run.stderr, /import: .*: importing identities and their datasets, 3 at a time/);

    await targetReadyForImport();
    const again = await importInto(['--all-pools']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual(summaryLine(again, 'identity pools'), { read: 2, created: 0, updated: 0, unchanged: 2, refused: 0, failed: 0 });
    assert.equal(summaryLine(again, 'identities').unchanged, 4);
    assert.equal(summaryLine(again, 'datasets').unchanged, 6);
    assert.equal(summaryLine(again, 'records').written, 0);
  });

  it('the copy answers every read exactly as the source does: pools, configuration, identities, datasets, records with their counts and dates', async () => {
    const server = await startTarget();
    assert.deepEqual(await snapshot(server, targetDeveloper, [scene.poolId, scene.closedPoolId]), sourceBefore);
    const listed = await server.identityClient().send(new ListIdentitiesCommand({ IdentityPoolId: scene.poolId, MaxResults: 60, HideDisabled: true }));
    assert.deepEqual(
      listed.Identities!.map((i) => i.IdentityId).sort(),
      [scene.unauthenticated.identityId, scene.player.identityId, scene.survivor.identityId].sort(),
      'the disabled identity stays disabled',
    );
  });

  it('the same developer user gets the same identity; an imported unauthenticated identity gets credentials; a disabled one does not', async () => {
    const server = await startTarget();
    const identity = server.identityClient();
    for (const [user, expected] of [['user-1', scene.player], ['user-1-alt', scene.player], ['user-3', scene.survivor], ['user-4', scene.survivor]] as const) {
      const answer = await identity.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: scene.poolId, Logins: { [DEVELOPER_PROVIDER]: user } }));
      assert.equal(answer.IdentityId, expected.identityId, user);
    }
    const lookup = await identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: scene.poolId, IdentityId: scene.player.identityId }));
    assert.deepEqual(lookup.DeveloperUserIdentifierList, ['user-1', 'user-1-alt']);

    const { Token } = await identity.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: scene.poolId, Logins: { [DEVELOPER_PROVIDER]: 'user-1' } }));
    const playerCredentials = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: scene.player.identityId, Logins: { [COGNITO_LOGIN]: Token! } }));
    assert.equal(playerCredentials.IdentityId, scene.player.identityId);

    const unsigned = server.identityClient({ accessKeyId: 'unused', secretAccessKey: 'unused' });
    const { Credentials } = await unsigned.send(new GetCredentialsForIdentityCommand({ IdentityId: scene.unauthenticated.identityId }));
    assert.match(Credentials!.AccessKeyId!, /^ASIA/);
    const disabled = await errorOf(unsigned.send(new GetCredentialsForIdentityCommand({ IdentityId: scene.unlinked.identityId })));
    assert.equal(disabled.name, 'NotAuthorizedException');
    const mergedAway = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: scene.survivor.identityId, Logins: { [COGNITO_LOGIN]: (await identity.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: scene.poolId, Logins: { [DEVELOPER_PROVIDER]: 'user-4' } }))).Token! } }));
    assert.equal(mergedAway.IdentityId, scene.survivor.identityId);
  });

  it('a device that last synced against the source at count N carries on: nothing new at N, its next push lands at N + 1 with no conflict, through the kept sync trigger', async () => {
    const server = await startTarget();
    const { Credentials } = await server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: scene.unauthenticated.identityId }));
    const credentials = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! };
    const address = { IdentityPoolId: scene.poolId, IdentityId: scene.unauthenticated.identityId, DatasetName: 'settings' };
    // The same device, now pointed at the new server: its local copy and its count come along unchanged.
    const device = new SyncDevice(server.syncClient(credentials), address);
    for (const [key, record] of scene.device.local) device.local.set(key, { ...record });
    device.lastSyncCount = scene.device.lastSyncCount;

    const pulled = await device.pull();
    assert.equal(pulled.purged, false);
    assert.deepEqual(pulled.records, []);
    assert.equal(pulled.pages.at(-1)!.DatasetSyncCount, 3);

    const invocations = lambda.invocationsOf('echo').length;
    device.put('volume', '10'); // known at SyncCount 2
    device.put('lang', 'fr'); // a tombstone at SyncCount 2
    const written = await device.push();
    assert.deepEqual(written.map((r) => [r.Key, r.Value, r.SyncCount]), [['volume', '10', 4], ['lang', 'fr', 4]]);
    assert.equal(device.lastSyncCount, 4);
    assert.equal(lambda.invocationsOf('echo').length, invocations + 1, 'the imported sync trigger ran');

    // Another device of the same identity that had everything up to 3 gets exactly this change.
    const other = await server.syncClient(credentials).send(new ListRecordsCommand({ ...address, LastSyncCount: 3 }));
    assert.deepEqual(other.Records!.map((r) => [r.Key, r.SyncCount]), [['lang', 4], ['volume', 4]]);
  });

  it('an identity linked only to a public provider is kept unreachable by its id until a backend links a developer user to it', async () => {
    // The source (this server) cannot make one, so it goes in through the store call the importer makes.
    const identityId = `us-east-1:${crypto.randomUUID()}`;
    const plan = planLogins({ IdentityId: identityId, Logins: ['graph.facebook.com'] }, DEVELOPER_PROVIDER);
    assert.deepEqual(plan, { hasDeveloperLogin: false, publicProviders: ['graph.facebook.com'] });
    const at = new Date('2022-05-06T07:08:09.123Z');
    await targetReadyForImport();
    const store = TEST_STORE === 'postgres'
      ? await openPostgresStore({ url: TEST_DATABASE_URL, schema: testSchemaName(targetDir), poolSize: 2 })
      : openSqliteStore(targetDir);
    try {
      const result = await store.importIdentity({ identityId, identityPoolId: scene.poolId, createdAt: at, lastModifiedAt: at, disabled: false, logins: loginsFor(identityId, plan, DEVELOPER_PROVIDER, []) });
      assert.equal(result.outcome, 'created');
    } finally {
      await store.close();
    }
    const server = await startTarget();
    const described = await server.identityClient().send(new DescribeIdentityCommand({ IdentityId: identityId }));
    assert.deepEqual([described.Logins, described.CreationDate], [['graph.facebook.com'], at]);
    const unsigned = server.identityClient({ accessKeyId: 'unused', secretAccessKey: 'unused' });
    assert.equal((await errorOf(unsigned.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId })))).name, 'NotAuthorizedException');
    // The backend checked the user itself and links them: from now on the developer flow reaches the identity.
    const linked = await server.identityClient().send(
      new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: scene.poolId, IdentityId: identityId, Logins: { [DEVELOPER_PROVIDER]: 'fb-user-77' } }),
    );
    assert.equal(linked.IdentityId, identityId);
    const answer = await unsigned.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: { [COGNITO_LOGIN]: linked.Token! } }));
    assert.equal(answer.IdentityId, identityId);
  });

  it('a re-run brings what the source wrote since; keeps what devices wrote here; reports datasets written on both sides', async () => {
    const sourceSync = source.syncClient();
    // New in the source: the player's device syncs again, a new identity with data, and the survivor's notes change.
    const game = { IdentityPoolId: scene.poolId, IdentityId: scene.player.identityId, DatasetName: 'game' };
    await push(source.syncClient(scene.player.credentials), game, [{ Op: 'replace', Key: 'coins', Value: '25', SyncCount: 2 }, { Op: 'replace', Key: 'badge', Value: 'gold', SyncCount: 0 }]);
    const newcomer = await unauthenticatedIdentity(source, scene.poolId);
    await push(source.syncClient(newcomer.credentials), { IdentityPoolId: scene.poolId, IdentityId: newcomer.identityId, DatasetName: 'settings' }, [{ Op: 'replace', Key: 'x', Value: '1', SyncCount: 0 }]);
    const notes = { IdentityPoolId: scene.poolId, IdentityId: scene.survivor.identityId, DatasetName: 'notes' };
    await push(sourceSync, notes, [{ Op: 'replace', Key: 'there', Value: 'source', SyncCount: 0 }]);
    // The pool's roles change in the source: the mapping goes.
    const newRoles = { authenticated: 'arn:aws:iam::123456789012:role/players-v2' };
    await source.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: scene.poolId, Roles: newRoles }));
    // ... and here, meanwhile, the survivor's notes changed too.
    const server = await startTarget();
    await push(server.syncClient(targetDeveloper), notes, [{ Op: 'replace', Key: 'here', Value: 'target', SyncCount: 0 }]);
    const notesHere = strip(await server.syncClient(targetDeveloper).send(new ListRecordsCommand({ ...notes, LastSyncCount: 0 })));

    await targetReadyForImport();
    const run = await importInto(['--identity-pool-id', scene.poolId]);
    assert.equal(run.code, 1, 'a dataset written on both sides is a problem to look at');
    assert.deepEqual(summaryLine(run, 'identity pools'), { read: 1, created: 0, updated: 1, unchanged: 0, refused: 0, failed: 0 });
    assert.deepEqual(summaryLine(run, 'identities'), {
      read: 5, unauthenticated: 2, 'developer authenticated': 2, 'public providers only': 0, disabled: 1,
      created: 1, updated: 0, unchanged: 4, skipped: 0, failed: 0,
    });
    assert.deepEqual(summaryLine(run, 'datasets'), {
      read: 7, created: 1, updated: 1, unchanged: 3, 'target ahead': 1, diverged: 1, 'deleted on target': 0, skipped: 0, failed: 0,
    });
    assert.equal(summaryLine(run, 'records').written, 3);
    assert.match(run.stdout, new RegExp(`dataset ${scene.survivor.identityId}/notes: written both here and in the source since an earlier import \\(key 'here' is SyncCount 2 here but absent in the source\\); kept as it is here`));

    const after = await startTarget();
    const roles = await after.identityClient(targetDeveloper).send(new GetIdentityPoolRolesCommand({ IdentityPoolId: scene.poolId }));
    assert.deepEqual([roles.Roles, roles.RoleMappings], [newRoles, undefined], 'the source\'s roles replace the imported ones');
    const sync = after.syncClient(targetDeveloper);
    // A device of the player that synced the game at count 2 against the source gets exactly the newer records.
    const delta = await sync.send(new ListRecordsCommand({ ...game, LastSyncCount: 2 }));
    const sourceDelta = await sourceSync.send(new ListRecordsCommand({ ...game, LastSyncCount: 2 }));
    assert.deepEqual(delta.Records, sourceDelta.Records);
    assert.deepEqual(delta.Records!.map((r) => [r.Key, r.Value, r.SyncCount]), [['badge', 'gold', 3], ['coins', '25', 3]]);
    assert.equal(delta.DatasetSyncCount, 3);
    assert.deepEqual(strip(await sync.send(new ListRecordsCommand({ ...notes, LastSyncCount: 0 }))), notesHere, 'the diverged dataset was left as it is here');
    const settingsHere = await sync.send(new ListRecordsCommand({ IdentityPoolId: scene.poolId, IdentityId: scene.unauthenticated.identityId, DatasetName: 'settings', LastSyncCount: 0 }));
    assert.equal(settingsHere.DatasetSyncCount, 4, "the device's sync here (target ahead) was kept");
    const newcomerHere = await sync.send(new ListRecordsCommand({ IdentityPoolId: scene.poolId, IdentityId: newcomer.identityId, DatasetName: 'settings', LastSyncCount: 0 }));
    assert.deepEqual(newcomerHere.Records!.map((r) => [r.Key, r.Value, r.SyncCount]), [['x', '1', 1]]);
  });

  it('reads every page: more identities than one ListIdentities page, more records than one ListRecords page', async () => {
    const identity = source.identityClient();
    const sync = source.syncClient();
    const IdentityPoolId = (await identity.send(new CreateIdentityPoolCommand({ IdentityPoolName: 'many', AllowUnauthenticatedIdentities: true }))).IdentityPoolId!;
    const ids: string[] = [];
    for (let i = 0; i < 61; i++) ids.push((await identity.send(new GetIdCommand({ IdentityPoolId }))).IdentityId!);
    // 1,024 live records, then 76 removed and 76 others written: 1,100 records at two counts, over one page.
    const big = { IdentityPoolId, IdentityId: ids[0]!, DatasetName: 'big' };
    const keys = Array.from({ length: 1024 }, (_, i) => `key-${String(i).padStart(4, '0')}`);
    await push(sync, big, keys.map((Key) => ({ Op: 'replace' as const, Key, Value: `value of ${Key}`, SyncCount: 0 })));
    await push(sync, big, [
      ...keys.slice(0, 76).map((Key) => ({ Op: 'remove' as const, Key, SyncCount: 1 })),
      ...keys.slice(0, 76).map((_, i) => ({ Op: 'replace' as const, Key: `later-${i}`, Value: 'x', SyncCount: 0 })),
    ]);
    const firstPage = await sync.send(new ListRecordsCommand({ ...big, LastSyncCount: 0 }));
    assert.ok(firstPage.NextToken, 'the source pages this dataset');

    const fresh = mkdtempSync(join(tmpdir(), 'import-pages-'));
    extraDirs.push(fresh);
    const freshDeveloper = newDeveloperCredentials();
    const freshServer = await startServer({ dataDir: fresh, developer: freshDeveloper });
    if (TEST_STORE === 'sqlite') await freshServer.stop();
    try {
      const run = await importInto(['--identity-pool-id', IdentityPoolId, '--concurrency', '8'], fresh);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(summaryLine(run, 'identities').created, 61);
      assert.deepEqual(summaryLine(run, 'records'), { read: 1100, removed: 76, written: 1100 });
      const copy = TEST_STORE === 'sqlite' ? await startServer({ dataDir: fresh, developer: freshDeveloper }) : freshServer;
      try {
        // Whole listings, every page followed, on both sides.
        const everything = async (server: TestServer, developer: DeveloperCredentials) => {
          const listed: unknown[] = [];
          let NextToken: string | undefined;
          do {
            const page = await server.identityClient(developer).send(new ListIdentitiesCommand({ IdentityPoolId, MaxResults: 60, NextToken }));
            listed.push(...page.Identities!);
            NextToken = page.NextToken;
          } while (NextToken);
          const records: unknown[] = [];
          do {
            const page = await server.syncClient(developer).send(new ListRecordsCommand({ ...big, LastSyncCount: 0, NextToken }));
            records.push(...page.Records!);
            NextToken = page.NextToken;
          } while (NextToken);
          return { listed, records };
        };
        const copied = await everything(copy, freshDeveloper);
        assert.equal(copied.listed.length, 61);
        assert.equal(copied.records.length, 1100);
        assert.deepEqual(copied, await everything(source, source.developer));
      } finally {
        await copy.stop();
      }
    } finally {
      await freshServer.stop();
    }
  });

  it('a throttled source (429 TooManyRequestsException) is read through with the SDK\'s adaptive retries', async () => {
    // The same source data, served at 3 requests per second.
    await source.stop();
    extraDirs.push(source.dataDir);
    source = await startServer({ dataDir: source.dataDir, developer: source.developer, env: lambda.env(), args: ['--rate-limit', '3'] });
    const fresh = mkdtempSync(join(tmpdir(), 'import-throttled-'));
    extraDirs.push(fresh);
    const freshDeveloper = newDeveloperCredentials();
    const freshServer = await startServer({ dataDir: fresh, developer: freshDeveloper });
    await freshServer.stop();
    const run = await importInto(['--identity-pool-id', scene.poolId, '--concurrency', '4'], fresh);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(summaryLine(run, 'identities').created, 5);
    assert.equal(summaryLine(run, 'datasets').created, 7);
    const calls = summaryLine(run, 'source calls');
    assert.ok(calls['retries after throttling or transient errors']! > 0, run.stdout);
  });
});
