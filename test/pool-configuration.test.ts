// GetIdentityPoolConfiguration / SetIdentityPoolConfiguration end to end, through the AWS SDK v3 clients.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import {
  GetIdentityPoolConfigurationCommand,
  SetIdentityPoolConfigurationCommand,
  type SetIdentityPoolConfigurationCommandInput,
} from '@aws-sdk/client-cognito-sync';
import { errorOf, newDeveloperCredentials, startServer, type TestServer } from './helpers/server.ts';

const PUSH = { ApplicationArns: ['arn:aws:sns:us-east-1:123456789012:app/GCM/my-app'], RoleArn: 'arn:aws:iam::123456789012:role/push-role' };
const STREAMS = { StreamName: 'sync-stream', RoleArn: 'arn:aws:iam::123456789012:role/stream-role', StreamingStatus: 'ENABLED' as const };

async function createPool(server: TestServer, name = 'pool') {
  const pool = await server.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: name, AllowUnauthenticatedIdentities: true }));
  return pool.IdentityPoolId!;
}

const withoutMetadata = <T extends { $metadata?: unknown }>(output: T) => {
  const { $metadata: _, ...rest } = output;
  return rest;
};

describe('identity pool configuration', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  it('walks create → get → set → partial set → SIGKILL → restart with nothing lost', async () => {
    const poolId = await createPool(server);
    assert.match(poolId, /^us-east-1:[0-9a-f-]{36}$/);
    const sync = server.syncClient();

    const fresh = await sync.send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId }));
    assert.deepEqual(withoutMetadata(fresh), { IdentityPoolId: poolId }, 'a never-configured pool answers its id alone');

    const set = await sync.send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, PushSync: PUSH, CognitoStreams: STREAMS }));
    assert.deepEqual(withoutMetadata(set), { IdentityPoolId: poolId, PushSync: PUSH, CognitoStreams: STREAMS });
    const got = await sync.send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId }));
    assert.deepEqual(withoutMetadata(got), { IdentityPoolId: poolId, PushSync: PUSH, CognitoStreams: STREAMS });

    const newStreams = { ...STREAMS, StreamingStatus: 'DISABLED' as const, StreamName: 'other-stream' };
    const partial = await sync.send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, CognitoStreams: newStreams }));
    assert.deepEqual(withoutMetadata(partial), { IdentityPoolId: poolId, PushSync: PUSH, CognitoStreams: newStreams }, 'PushSync kept');

    await server.kill9();
    const restarted = await startServer({ dataDir: server.dataDir, developer: server.developer });
    try {
      const afterRestart = await restarted.syncClient().send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId }));
      assert.deepEqual(withoutMetadata(afterRestart), { IdentityPoolId: poolId, PushSync: PUSH, CognitoStreams: newStreams });
    } finally {
      await restarted.stop();
    }
    server = await startServer({ dataDir: server.dataDir, developer: server.developer });
  });

  it('answers 404 ResourceNotFoundException for an unknown pool', async () => {
    const error = await errorOf(server.syncClient().send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000' })));
    assert.equal(error.name, 'ResourceNotFoundException');
    assert.equal(error.$metadata.httpStatusCode, 404);
    assert.match(error.message, /us-east-1:00000000-0000-0000-0000-000000000000/);
    const setError = await errorOf(server.syncClient().send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: 'us-east-1:0123', PushSync: PUSH })));
    assert.equal(setError.name, 'ResourceNotFoundException');
    assert.equal(setError.$metadata.httpStatusCode, 404);
  });

  const invalid: Array<[string, Partial<SetIdentityPoolConfigurationCommandInput>, RegExp]> = [
    ['malformed pool id', { IdentityPoolId: 'not-a-pool-id' }, /identityPoolId.*regular expression pattern/],
    ['pool id over 55 characters', { IdentityPoolId: `us-east-1:${'a'.repeat(50)}` }, /identityPoolId.*length less than or equal to 55/],
    ['ApplicationArn pattern', { PushSync: { ApplicationArns: ['arn:aws:sns:us-east-1:1:topic/x'], RoleArn: PUSH.RoleArn } }, /pushSync\.applicationArns\.1\.member.*arn:aws:sns/],
    ['PushSync RoleArn under 20 characters', { PushSync: { RoleArn: 'arn:aws:iam::1:role' } }, /pushSync\.roleArn.*length greater than or equal to 20/],
    ['PushSync RoleArn pattern', { PushSync: { RoleArn: 'arn:aws:s3:::bucket-that-is-long-enough' } }, /pushSync\.roleArn.*arn:aws:iam/],
    ['RoleArn over 2048 characters', { CognitoStreams: { ...STREAMS, RoleArn: `arn:aws:iam::123456789012:role/${'r'.repeat(2048)}` } }, /cognitoStreams\.roleArn.*less than or equal to 2048/],
    ['StreamName over 128 characters', { CognitoStreams: { ...STREAMS, StreamName: 's'.repeat(129) } }, /cognitoStreams\.streamName.*less than or equal to 128/],
    ['empty StreamName', { CognitoStreams: { ...STREAMS, StreamName: '' } }, /cognitoStreams\.streamName.*greater than or equal to 1/],
    ['StreamingStatus enum', { CognitoStreams: { ...STREAMS, StreamingStatus: 'ON' as never } }, /cognitoStreams\.streamingStatus.*enum value set: \[ENABLED, DISABLED\]/],
  ];
  for (const [name, change, message] of invalid) {
    it(`refuses ${name} with 400 InvalidParameterException`, async () => {
      const poolId = await createPool(server);
      const error = await errorOf(server.syncClient().send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, ...change })));
      assert.equal(error.name, 'InvalidParameterException');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.match(error.message, message);
      const unchanged = await server.syncClient().send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId }));
      assert.deepEqual(withoutMetadata(unchanged), { IdentityPoolId: poolId }, 'nothing applied');
    });
  }

  it('serializes concurrent Sets: every part written by some Set survives, no Set is lost', async () => {
    const poolId = await createPool(server);
    const sync = server.syncClient();
    const writes = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0
        ? { PushSync: { RoleArn: `arn:aws:iam::123456789012:role/push-${i}` } }
        : { CognitoStreams: { ...STREAMS, StreamName: `stream-${i}` } },
    );
    const results = await Promise.all(writes.map((w) => sync.send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, ...w }))));
    results.forEach((result, i) => {
      const written = writes[i]!;
      if (written.PushSync) assert.deepEqual(result.PushSync, written.PushSync, 'each Set echoes what it wrote');
      else assert.deepEqual(result.CognitoStreams, written.CognitoStreams);
    });
    const final = await sync.send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId }));
    assert.ok(final.PushSync, 'PushSync from some Set survived the CognitoStreams Sets');
    assert.ok(final.CognitoStreams, 'CognitoStreams from some Set survived the PushSync Sets');
    assert.ok(writes.some((w) => w.PushSync?.RoleArn === final.PushSync!.RoleArn));
    assert.ok(writes.some((w) => w.CognitoStreams?.StreamName === final.CognitoStreams!.StreamName));
  });

  it('refuses a request carrying a session token with developer credentials: 403 NotAuthorizedException', async () => {
    const poolId = await createPool(server);
    const withToken = { ...server.developer, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
    const error = await errorOf(server.syncClient(withToken).send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId })));
    assert.equal(error.name, 'NotAuthorizedException');
    assert.equal(error.$metadata.httpStatusCode, 403);
  });

  it("hides another account's pool behind 404 ResourceNotFoundException", async () => {
    const poolId = await createPool(server);
    const other = newDeveloperCredentials();
    const owner = server.developer;
    await server.stop();
    // The other account's key is configured on this start; the first key stays stored.
    const shared = await startServer({ dataDir: server.dataDir, developer: other });
    try {
      const error = await errorOf(shared.syncClient(other).send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId })));
      assert.equal(error.name, 'ResourceNotFoundException');
      assert.equal(error.$metadata.httpStatusCode, 404);
      const own = await shared.syncClient(owner).send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId }));
      assert.equal(own.IdentityPoolId, poolId);
    } finally {
      await shared.stop();
    }
    server = await startServer({ dataDir: server.dataDir, developer: owner });
  });
});
