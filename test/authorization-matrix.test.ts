// Who may call what on Cognito Sync: all 17 operations × {developer, own identity, other identity, other pool,
// expired credentials}, one test per cell, each calling the real server with the AWS SDK v3 client.
// Refused cells assert the exact error and status. Allowed cells assert only that the caller was not refused:
// the handler behind them may still answer something else (a missing dataset, an unconfigured pool, or
// NotImplementedException for a handler not built yet), which is not what this matrix is about.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetCredentialsForIdentityCommand } from '@aws-sdk/client-cognito-identity';
import {
  BulkPublishCommand,
  DeleteDatasetCommand,
  DescribeDatasetCommand,
  DescribeIdentityPoolUsageCommand,
  DescribeIdentityUsageCommand,
  GetBulkPublishDetailsCommand,
  GetCognitoEventsCommand,
  GetIdentityPoolConfigurationCommand,
  ListDatasetsCommand,
  ListIdentityPoolUsageCommand,
  ListRecordsCommand,
  RegisterDeviceCommand,
  SetCognitoEventsCommand,
  SetIdentityPoolConfigurationCommand,
  SubscribeToDatasetCommand,
  UnsubscribeFromDatasetCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createPool, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { newDeveloperCredentials, startServer, type TestServer } from './helpers/server.ts';

type Rule = 'developer' | 'both' | 'identity';
type Column = 'developer' | 'own identity' | 'other identity' | 'other pool' | 'expired';

// biome-ignore lint: each command has its own input type.
type CommandFor = (pool: string, identity: string) => any;

const DATASET = 'matrix';
const operations: Array<[string, Rule, CommandFor]> = [
  ['ListIdentityPoolUsage', 'developer', () => new ListIdentityPoolUsageCommand({})],
  ['DescribeIdentityPoolUsage', 'developer', (p) => new DescribeIdentityPoolUsageCommand({ IdentityPoolId: p })],
  ['GetIdentityPoolConfiguration', 'developer', (p) => new GetIdentityPoolConfigurationCommand({ IdentityPoolId: p })],
  ['SetIdentityPoolConfiguration', 'developer', (p) => new SetIdentityPoolConfigurationCommand({ IdentityPoolId: p })],
  ['GetCognitoEvents', 'developer', (p) => new GetCognitoEventsCommand({ IdentityPoolId: p })],
  ['SetCognitoEvents', 'developer', (p) => new SetCognitoEventsCommand({ IdentityPoolId: p, Events: {} })],
  ['BulkPublish', 'developer', (p) => new BulkPublishCommand({ IdentityPoolId: p })],
  ['GetBulkPublishDetails', 'developer', (p) => new GetBulkPublishDetailsCommand({ IdentityPoolId: p })],
  ['DescribeIdentityUsage', 'both', (p, i) => new DescribeIdentityUsageCommand({ IdentityPoolId: p, IdentityId: i })],
  ['ListDatasets', 'both', (p, i) => new ListDatasetsCommand({ IdentityPoolId: p, IdentityId: i })],
  ['DescribeDataset', 'both', (p, i) => new DescribeDatasetCommand({ IdentityPoolId: p, IdentityId: i, DatasetName: DATASET })],
  [
    'UpdateRecords',
    'both',
    (p, i) => new UpdateRecordsCommand({ IdentityPoolId: p, IdentityId: i, DatasetName: DATASET, SyncSessionToken: 'not-a-real-session-token' }),
  ],
  ['DeleteDataset', 'both', (p, i) => new DeleteDatasetCommand({ IdentityPoolId: p, IdentityId: i, DatasetName: DATASET })],
  ['ListRecords', 'both', (p, i) => new ListRecordsCommand({ IdentityPoolId: p, IdentityId: i, DatasetName: DATASET })],
  ['RegisterDevice', 'identity', (p, i) => new RegisterDeviceCommand({ IdentityPoolId: p, IdentityId: i, Platform: 'GCM', Token: 'device-push-token' })],
  [
    'SubscribeToDataset',
    'identity',
    (p, i) => new SubscribeToDatasetCommand({ IdentityPoolId: p, IdentityId: i, DatasetName: DATASET, DeviceId: 'device-1' }),
  ],
  [
    'UnsubscribeFromDataset',
    'identity',
    (p, i) => new UnsubscribeFromDatasetCommand({ IdentityPoolId: p, IdentityId: i, DatasetName: DATASET, DeviceId: 'device-1' }),
  ],
];

type Expectation = 'allowed' | { code: string; status: number };
const NOT_AUTHORIZED = { code: 'NotAuthorizedException', status: 403 };
const EXPIRED = { code: 'ExpiredTokenException', status: 403 };

function expected(rule: Rule, column: Column): Expectation {
  if (column === 'expired') return EXPIRED;
  if (column === 'other identity' || column === 'other pool') return NOT_AUTHORIZED;
  if (column === 'developer') return rule === 'identity' ? NOT_AUTHORIZED : 'allowed';
  return rule === 'developer' ? NOT_AUTHORIZED : 'allowed';
}

describe('authorization matrix: 17 Cognito Sync operations × 5 callers', { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-sync-matrix-'));
  const developer = newDeveloperCredentials();
  let server: TestServer;
  /** For each column: whose credentials, and which pool and identity the call names. */
  const callers = new Map<Column, { credentials: AwsCredentialIdentity; pool: string; identity: string }>();

  before(async () => {
    // Credentials that expire: issued by a start with a 2-second lifetime, used after it has passed on a
    // restart over the same data (which keeps the keys that seal and verify them).
    const shortLived = await startServer({ dataDir, developer, args: ['--credentials-ttl', '2'] });
    let poolA: string;
    let poolB: string;
    let a1: string;
    let a2: string;
    let b1: string;
    let expiredCredentials: AwsCredentialIdentity;
    let expiresAt: Date;
    try {
      poolA = await createPool(shortLived);
      poolB = await createPool(shortLived);
      const own = await unauthenticatedIdentity(shortLived, poolA);
      a1 = own.identityId;
      a2 = (await unauthenticatedIdentity(shortLived, poolA)).identityId;
      b1 = (await unauthenticatedIdentity(shortLived, poolB)).identityId;
      expiredCredentials = own.credentials;
      expiresAt = own.credentials.expiration;
    } finally {
      await shortLived.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now()) + 500));

    server = await startServer({ dataDir, developer });
    const credentialsOf = async (identityId: string) => {
      const { Credentials: c } = await server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: identityId }));
      return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretKey!, sessionToken: c!.SessionToken! };
    };
    const ownCredentials = await credentialsOf(a1);
    callers.set('developer', { credentials: developer, pool: poolA, identity: a1 });
    callers.set('own identity', { credentials: ownCredentials, pool: poolA, identity: a1 });
    callers.set('other identity', { credentials: ownCredentials, pool: poolA, identity: a2 });
    // An identity of pool B naming itself inside pool A: only the pool is wrong.
    callers.set('other pool', { credentials: await credentialsOf(b1), pool: poolA, identity: b1 });
    callers.set('expired', { credentials: expiredCredentials, pool: poolA, identity: a1 });
  });

  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const columns: Column[] = ['developer', 'own identity', 'other identity', 'other pool', 'expired'];
  for (const [operation, rule, command] of operations) {
    describe(`${operation} (${rule})`, () => {
      for (const column of columns) {
        const expectation = expected(rule, column);
        const title = expectation === 'allowed' ? `${column}: not refused` : `${column}: ${expectation.status} ${expectation.code}`;
        it(title, async () => {
          const caller = callers.get(column)!;
          let failure: { name: string; message: string; $metadata: { httpStatusCode?: number } } | undefined;
          try {
            await server.syncClient(caller.credentials).send(command(caller.pool, caller.identity));
          } catch (error) {
            failure = error as typeof failure;
          }
          if (expectation === 'allowed') {
            const refused = failure !== undefined && (failure.$metadata.httpStatusCode === 403 || failure.name === 'NotAuthorizedException');
            assert.ok(!refused, `refused: ${failure?.$metadata.httpStatusCode} ${failure?.name}: ${failure?.message}`);
          } else {
            assert.deepEqual(
              { code: failure?.name, status: failure?.$metadata.httpStatusCode },
              expectation,
              `got ${failure ? `${failure.$metadata.httpStatusCode} ${failure.name}: ${failure.message}` : 'success'}`,
            );
          }
        });
      }
    });
  }
});
