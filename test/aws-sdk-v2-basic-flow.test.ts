// The issue's "done when": an app on the AWS SDK for JavaScript v2 with `AWS.CognitoIdentityCredentials({
// IdentityPoolId, RoleArn })` (the basic flow: GetId → GetOpenIdToken → STS AssumeRoleWithWebIdentity) gets
// credentials from this server and syncs with them, its Cognito Identity and STS endpoints both pointed here.
// Everything on the device side is the v2 SDK's own code; only the backend's developer token comes from v3.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetOpenIdTokenForDeveloperIdentityCommand, SetIdentityPoolRolesCommand } from '@aws-sdk/client-cognito-identity';
import AWS from 'aws-sdk';
import { createPool, DEVELOPER_PROVIDER } from './helpers/identity-flows.ts';
import { REGION, startServer, type TestServer } from './helpers/server.ts';

const AUTH = 'arn:aws:iam::123456789012:role/Cognito_Auth';
const GUEST = 'arn:aws:iam::123456789012:role/Cognito_Unauth';

describe('aws-sdk v2 CognitoIdentityCredentials with a RoleArn (the basic flow)', { timeout: 120_000 }, () => {
  let server: TestServer;
  let poolId: string;
  /** What an app passes to v2's clients: one endpoint serves Cognito Identity, STS and Cognito Sync. */
  let clientConfig: { region: string; endpoint: string; maxRetries: number };

  before(async () => {
    server = await startServer();
    poolId = await createPool(server);
    await server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated: AUTH, unauthenticated: GUEST } }));
    clientConfig = { region: REGION, endpoint: server.url, maxRetries: 0 };
  });
  after(async () => {
    await server.dispose();
  });

  /** A device's sync with v2's CognitoSync client: pull, push one record, pull again. */
  async function syncWith(credentials: AWS.CognitoIdentityCredentials, identityId: string) {
    const sync = new AWS.CognitoSync({ ...clientConfig, credentials });
    const address = { IdentityPoolId: poolId, IdentityId: identityId, DatasetName: 'profile' };
    const pulled = await sync.listRecords(address).promise();
    assert.equal(pulled.DatasetExists, false);
    const pushed = await sync
      .updateRecords({ ...address, SyncSessionToken: pulled.SyncSessionToken!, RecordPatches: [{ Op: 'replace', Key: 'name', Value: 'Ada', SyncCount: 0 }] })
      .promise();
    assert.deepEqual(pushed.Records!.map((r) => [r.Key, r.Value, r.SyncCount, r.LastModifiedBy]), [['name', 'Ada', 1, identityId]]);
    const again = await sync.listRecords({ ...address, LastSyncCount: 0 }).promise();
    assert.equal(again.DatasetSyncCount, 1);
    assert.deepEqual(again.Records!.map((r) => r.Value), ['Ada']);
  }

  it('unauthenticated: credentials through GetId, GetOpenIdToken and STS, then a sync', async () => {
    const credentials = new AWS.CognitoIdentityCredentials({ IdentityPoolId: poolId, RoleArn: GUEST }, clientConfig);
    await credentials.getPromise();
    assert.match(credentials.accessKeyId, /^ASIA/);
    assert.ok(credentials.sessionToken);
    assert.ok(credentials.expireTime!.getTime() > Date.now() + 55 * 60_000, 'STS credentials for an hour');
    assert.match(credentials.identityId, /^us-east-1:/);
    await syncWith(credentials, credentials.identityId);
  });

  it('developer-authenticated: the backend\'s token as the login, the authenticated role, then a sync', async () => {
    const { IdentityId, Token } = await server.identityClient().send(
      new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'v2-user' } }),
    );
    const credentials = new AWS.CognitoIdentityCredentials(
      { IdentityPoolId: poolId, IdentityId, RoleArn: AUTH, Logins: { 'cognito-identity.amazonaws.com': Token! } },
      clientConfig,
    );
    await credentials.getPromise();
    assert.equal(credentials.identityId, IdentityId);
    await syncWith(credentials, IdentityId!);
  });

  it('a role the pool does not trust for the identity fails with STS\'s AccessDenied', async () => {
    const credentials = new AWS.CognitoIdentityCredentials({ IdentityPoolId: poolId, RoleArn: AUTH }, clientConfig);
    const error = (await credentials.getPromise().then(
      () => undefined,
      (e: unknown) => e,
    )) as AWS.AWSError | undefined;
    assert.ok(error, 'an unauthenticated identity may not take the authenticated role');
    assert.equal(error.code, 'AccessDenied');
    assert.equal(error.statusCode, 403);
    assert.match(error.message, /Not authorized to perform sts:AssumeRoleWithWebIdentity/);
  });

  it('without a RoleArn the same class takes the enhanced flow (GetCredentialsForIdentity) here too', async () => {
    const credentials = new AWS.CognitoIdentityCredentials({ IdentityPoolId: poolId }, clientConfig);
    await credentials.getPromise();
    assert.match(credentials.accessKeyId, /^ASIA/);
    await syncWith(credentials, credentials.identityId);
  });
});
