// Cognito Events, the sync trigger (reference: "Cognito Events: the sync trigger"), end to end: the AWS SDK v3
// Cognito Sync client against the real server, which invokes the pool's function through the official
// @aws-sdk/client-lambda against a Lambda stand-in (test/helpers/lambda-stand-in.ts) speaking Lambda's wire.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  type CognitoSyncClient,
  GetCognitoEventsCommand,
  ListRecordsCommand,
  type RecordPatch,
  SetCognitoEventsCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { LambdaStandIn } from './helpers/lambda-stand-in.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';

/** Shorter than the 5 s default so the slow function can outlast it quickly; the slow one takes longer than both. */
const TRIGGER_TIMEOUT_MS = 2000;
const SLOW_FUNCTION_MS = 5500;

interface DatasetAddressInput {
  IdentityPoolId: string;
  IdentityId: string;
  DatasetName: string;
}

const addressOf = (identity: SyncIdentity, DatasetName = 'game'): DatasetAddressInput => ({
  IdentityPoolId: identity.identityPoolId,
  IdentityId: identity.identityId,
  DatasetName,
});

/** One device sync step: pull for a session token, then push the patches with it. */
async function push(client: CognitoSyncClient, address: DatasetAddressInput, patches: RecordPatch[]) {
  const { SyncSessionToken } = await client.send(new ListRecordsCommand(address));
  return client.send(new UpdateRecordsCommand({ ...address, SyncSessionToken, RecordPatches: patches }));
}

/** Key → [value or null for a tombstone, SyncCount], and the dataset's count. */
async function stored(client: CognitoSyncClient, address: DatasetAddressInput) {
  const listed = await client.send(new ListRecordsCommand(address));
  const records = Object.fromEntries((listed.Records ?? []).map((r) => [r.Key!, [r.Value ?? null, r.SyncCount!]]));
  return { records, syncCount: listed.DatasetSyncCount! };
}

describe('Cognito Events: the sync trigger', { timeout: 300_000 }, () => {
  let lambda: LambdaStandIn;
  let server: TestServer;

  before(async () => {
    lambda = await new LambdaStandIn().start();
    // The echo function: returns the event as it came, as AWS's blueprint does.
    lambda.register('echo', (event) => event);
    server = await startServer({ env: lambda.env(), args: ['--sync-trigger-timeout-ms', String(TRIGGER_TIMEOUT_MS)] });
  });
  after(async () => {
    await server.dispose();
    await lambda.close();
  });

  /** A pool whose SyncTrigger is `functionName`, and an identity in it. */
  async function poolWithTrigger(functionArn: string) {
    const poolId = await createIdentityPool(server);
    await server.syncClient().send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: functionArn } }));
    const identity = await newIdentity(server, poolId);
    return { poolId, identity, address: addressOf(identity) };
  }

  describe('SetCognitoEvents and GetCognitoEvents', () => {
    it('set, read back, replace with a qualified ARN, and remove with an empty value', async () => {
      const sync = server.syncClient();
      const poolId = await createIdentityPool(server);
      const fresh = await sync.send(new GetCognitoEventsCommand({ IdentityPoolId: poolId }));
      assert.deepEqual(fresh.Events, {}, 'a pool without events answers an empty map');

      const arn = lambda.arnOf('echo');
      await sync.send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: arn } }));
      assert.deepEqual((await sync.send(new GetCognitoEventsCommand({ IdentityPoolId: poolId }))).Events, { SyncTrigger: arn });

      const alias = `${lambda.arnOf('echo')}:live`;
      await sync.send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: alias } }));
      assert.deepEqual((await sync.send(new GetCognitoEventsCommand({ IdentityPoolId: poolId }))).Events, { SyncTrigger: alias });

      await sync.send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: '' } }));
      assert.deepEqual((await sync.send(new GetCognitoEventsCommand({ IdentityPoolId: poolId }))).Events, {});
    });

    it('refuses a bad ARN, an unknown event type and more than one key with 400 InvalidParameterException; nothing changes', async () => {
      const sync = server.syncClient();
      const poolId = await createIdentityPool(server);
      const arn = lambda.arnOf('echo');
      await sync.send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: arn } }));

      const refused: Array<[string, Record<string, string>, RegExp]> = [
        ['not an ARN', { SyncTrigger: 'my-function' }, /Events\.SyncTrigger must be a Lambda function ARN.*'my-function'/],
        ['an SNS ARN', { SyncTrigger: 'arn:aws:sns:us-east-1:123456789012:topic' }, /Lambda function ARN/],
        ['a short account id', { SyncTrigger: 'arn:aws:lambda:us-east-1:1234:function:f' }, /Lambda function ARN/],
        ['a name with a slash', { SyncTrigger: 'arn:aws:lambda:us-east-1:123456789012:function:a/b' }, /Lambda function ARN/],
        ['an unknown event type', { PreSync: arn }, /Unknown Cognito event type 'PreSync'.*SyncTrigger/],
        ['two keys', { SyncTrigger: arn, Other: arn }, /events.*length less than or equal to 1/i],
      ];
      for (const [what, Events, message] of refused) {
        const error = await errorOf(sync.send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events })));
        assert.equal(error.name, 'InvalidParameterException', what);
        assert.equal(error.$metadata.httpStatusCode, 400, what);
        assert.match(error.message, message, what);
      }
      assert.deepEqual((await sync.send(new GetCognitoEventsCommand({ IdentityPoolId: poolId }))).Events, { SyncTrigger: arn });
    });

    it('answers 404 for an unknown pool and 403 NotAuthorizedException to identity credentials', async () => {
      const unknown = 'us-east-1:00000000-0000-0000-0000-000000000000';
      for (const command of [
        new GetCognitoEventsCommand({ IdentityPoolId: unknown }),
        new SetCognitoEventsCommand({ IdentityPoolId: unknown, Events: { SyncTrigger: lambda.arnOf('echo') } }),
      ]) {
        const error = await errorOf(server.syncClient().send(command as never));
        assert.equal(error.name, 'ResourceNotFoundException');
        assert.equal(error.$metadata.httpStatusCode, 404);
      }

      const poolId = await createIdentityPool(server);
      const identity = await newIdentity(server, poolId);
      for (const command of [
        new GetCognitoEventsCommand({ IdentityPoolId: poolId }),
        new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: lambda.arnOf('echo') } }),
      ]) {
        const error = await errorOf(identity.device().send(command as never));
        assert.equal(error.name, 'NotAuthorizedException');
        assert.equal(error.$metadata.httpStatusCode, 403);
        assert.match(error.message, /developer credentials/);
      }
      assert.deepEqual((await server.syncClient().send(new GetCognitoEventsCommand({ IdentityPoolId: poolId }))).Events, {});
    });
  });

  describe('UpdateRecords with a trigger', () => {
    it('stores what the function returns: a changed value, an added record, a removed record; unchanged records stay as they were', async () => {
      // Caps the score at 100, awards a badge, and takes away the cheat flag; a real game's rules.
      const arn = lambda.register('referee', (event) => {
        const records = event.datasetRecords;
        if (Number(records.score?.newValue) > 100) records.score.newValue = '100';
        records.badge = { newValue: 'gold', op: 'replace' };
        if (records.cheat) records.cheat.op = 'remove';
        return event;
      });
      const poolId = await createIdentityPool(server);
      const identity = await newIdentity(server, poolId);
      const address = addressOf(identity);
      const device = identity.device();
      // Written before the trigger exists: the starting state.
      await push(device, address, [
        { Op: 'replace', Key: 'level', Value: '3', SyncCount: 0 },
        { Op: 'replace', Key: 'cheat', Value: 'on', SyncCount: 0 },
      ]);
      await server.syncClient().send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: arn } }));

      const answer = await push(device, address, [{ Op: 'replace', Key: 'score', Value: '250', SyncCount: 0 }]);

      const invocations = lambda.invocationsOf('referee');
      assert.equal(invocations.length, 1);
      assert.deepEqual(invocations[0]!.event, {
        version: 2,
        eventType: 'SyncTrigger',
        region: 'us-east-1',
        identityPoolId: poolId,
        identityId: identity.identityId,
        datasetName: 'game',
        datasetRecords: {
          level: { oldValue: '3', newValue: '3', op: 'replace' },
          cheat: { oldValue: 'on', newValue: 'on', op: 'replace' },
          score: { oldValue: null, newValue: '250', op: 'replace' },
        },
      });
      assert.equal(invocations[0]!.accessKeyId, lambda.credentials.accessKeyId, 'signed with the standard credential chain (environment)');
      assert.equal(invocations[0]!.region, 'us-east-1');

      const written = Object.fromEntries((answer.Records ?? []).map((r) => [r.Key!, [r.Value ?? null, r.SyncCount!]]));
      assert.deepEqual(written, { score: ['100', 2], badge: ['gold', 2], cheat: [null, 2] }, 'the answer lists what was written');
      assert.deepEqual(await stored(device, address), {
        records: { level: ['3', 1], score: ['100', 2], badge: ['gold', 2], cheat: [null, 2] },
        syncCount: 2,
      });
    });

    it('sends removes as op "remove" with the old value, and leaves out records the function omits', async () => {
      // Drops every change to "locked" (by leaving it out) and keeps the rest.
      const arn = lambda.register('lock-keeper', (event) => {
        delete event.datasetRecords.locked;
        return event;
      });
      const { identity, address } = await poolWithTrigger(lambda.arnOf('echo'));
      const device = identity.device();
      await push(device, address, [
        { Op: 'replace', Key: 'locked', Value: 'original', SyncCount: 0 },
        { Op: 'replace', Key: 'free', Value: 'a', SyncCount: 0 },
      ]);
      await server.syncClient().send(new SetCognitoEventsCommand({ IdentityPoolId: address.IdentityPoolId, Events: { SyncTrigger: arn } }));

      const answer = await push(device, address, [
        { Op: 'replace', Key: 'locked', Value: 'changed', SyncCount: 1 },
        { Op: 'remove', Key: 'free', SyncCount: 1 },
      ]);
      assert.deepEqual((lambda.invocationsOf('lock-keeper')[0]!.event as { datasetRecords: unknown }).datasetRecords, {
        locked: { oldValue: 'original', newValue: 'changed', op: 'replace' },
        free: { oldValue: 'a', newValue: null, op: 'remove' },
      });
      assert.deepEqual(answer.Records?.map((r) => [r.Key, r.Value ?? null, r.SyncCount]), [['free', null, 2]]);
      assert.deepEqual(await stored(device, address), { records: { locked: ['original', 1], free: [null, 2] }, syncCount: 2 });

      // A function that drops everything: nothing written, the count stays.
      lambda.register('drop-all', (event) => ({ ...event, datasetRecords: {} }));
      await server.syncClient().send(
        new SetCognitoEventsCommand({ IdentityPoolId: address.IdentityPoolId, Events: { SyncTrigger: lambda.arnOf('drop-all') } }),
      );
      const dropped = await push(device, address, [{ Op: 'replace', Key: 'free', Value: 'b', SyncCount: 2 }]);
      assert.deepEqual(dropped.Records, []);
      assert.equal((await stored(device, address)).syncCount, 2);
    });

    it('is not invoked for a push presenting a spent SyncSessionToken (409, nothing written)', async () => {
      const arn = lambda.register('counts-calls', (event) => event);
      const { identity, address } = await poolWithTrigger(arn);
      const device = identity.device();
      const { SyncSessionToken } = await device.send(new ListRecordsCommand(address));
      await device.send(new UpdateRecordsCommand({ ...address, SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: '1', SyncCount: 0 }] }));
      assert.equal(lambda.invocationsOf('counts-calls').length, 1);
      const spent = await errorOf(
        device.send(new UpdateRecordsCommand({ ...address, SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: '2', SyncCount: 1 }] })),
      );
      assert.equal(spent.name, 'ResourceConflictException');
      assert.equal(lambda.invocationsOf('counts-calls').length, 1, 'the function did not run for the spent token');
      assert.deepEqual(await stored(device, address), { records: { k: ['1', 1] }, syncCount: 1 });
    });

    it('is not invoked for developer credentials (AWS: only credentials from Cognito Identity trigger it)', async () => {
      const arn = lambda.register('never-for-developers', () => {
        throw new Error('must not run');
      });
      const { address } = await poolWithTrigger(arn);
      const answer = await push(server.syncClient(), address, [{ Op: 'replace', Key: 'k', Value: 'as sent', SyncCount: 0 }]);
      assert.equal(answer.Records?.[0]?.Value, 'as sent');
      assert.equal(lambda.invocationsOf('never-for-developers').length, 0);
    });

    it('a function error is 400 InvalidLambdaFunctionOutputException naming it, and nothing is applied', async () => {
      const arn = lambda.register('thrower', () => {
        throw new TypeError('score must be a number');
      });
      const { identity, address } = await poolWithTrigger(arn);
      const before = await stored(identity.device(), address);
      const error = await errorOf(push(identity.device(), address, [{ Op: 'replace', Key: 'score', Value: 'x', SyncCount: 0 }]));
      assert.equal(error.name, 'InvalidLambdaFunctionOutputException');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.match(error.message, /thrower failed: Unhandled: TypeError: score must be a number/);
      assert.deepEqual(await stored(identity.device(), address), before);
      assert.equal(lambda.invocationsOf('thrower').length, 1);
    });

    it('malformed output is 400 InvalidLambdaFunctionOutputException naming the problem, and nothing is applied', async () => {
      const outputs: Array<[string, (event: any) => unknown, RegExp]> = [
        ['nothing returned', () => undefined, /must be the event object/],
        ['a string', () => 'ok', /must be the event object/],
        ['an array', () => [], /must be the event object/],
        ['datasetRecords missing', (event) => ({ ...event, datasetRecords: undefined }), /datasetRecords must be an object/],
        ['datasetRecords a list', (event) => ({ ...event, datasetRecords: [] }), /datasetRecords must be an object/],
        ['identityId changed', (event) => ({ ...event, identityId: 'us-east-1:someone-else' }), /identityId is read-only/],
        ['datasetName changed', (event) => ({ ...event, datasetName: 'other' }), /datasetName is read-only/],
        ['version changed', (event) => ({ ...event, version: 1 }), /version is read-only/],
        ['an unknown op', (event) => ({ ...event, datasetRecords: { k: { newValue: 'v', op: 'upsert' } } }), /\['k'\]\.op must be 'replace' or 'remove', got "upsert"/],
        ['no op', (event) => ({ ...event, datasetRecords: { k: { newValue: 'v' } } }), /\['k'\]\.op must be/],
        ['a number value', (event) => ({ ...event, datasetRecords: { k: { newValue: 7, op: 'replace' } } }), /\['k'\]\.newValue must be a string.*got number/],
        ['a record that is not an object', (event) => ({ ...event, datasetRecords: { k: 'v' } }), /\['k'\] must be an object/],
        ['an empty key', (event) => ({ ...event, datasetRecords: { '': { newValue: 'v', op: 'replace' } } }), /record key must be 1 to 1024/],
        ['a key over 1024 characters', (event) => ({ ...event, datasetRecords: { ['k'.repeat(1025)]: { newValue: 'v', op: 'replace' } } }), /1 to 1024/],
      ];
      const { identity, address } = await poolWithTrigger(lambda.arnOf('echo'));
      const device = identity.device();
      await push(device, address, [{ Op: 'replace', Key: 'k', Value: 'kept', SyncCount: 0 }]);
      const before = await stored(device, address);
      for (const [what, output, message] of outputs) {
        const arn = lambda.register(`malformed-${what.replaceAll(' ', '-')}`, output);
        await server.syncClient().send(new SetCognitoEventsCommand({ IdentityPoolId: address.IdentityPoolId, Events: { SyncTrigger: arn } }));
        const error = await errorOf(push(device, address, [{ Op: 'replace', Key: 'k', Value: 'new', SyncCount: 1 }]));
        assert.equal(error.name, 'InvalidLambdaFunctionOutputException', what);
        assert.equal(error.$metadata.httpStatusCode, 400, what);
        assert.match(error.message, message, what);
        assert.deepEqual(await stored(device, address), before, `${what}: nothing applied`);
      }
    });

    it('Lambda throttling is 429 LambdaThrottledException, and nothing is applied', async () => {
      const arn = lambda.register('busy', (event) => event);
      lambda.throttle('busy');
      const { identity, address } = await poolWithTrigger(arn);
      const error = await errorOf(push(identity.device(), address, [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]));
      assert.equal(error.name, 'LambdaThrottledException');
      assert.equal(error.$metadata.httpStatusCode, 429);
      assert.match(error.message, /throttled.*Rate Exceeded/);
      assert.deepEqual(await stored(identity.device(), address), { records: {}, syncCount: 0 });
    });

    it('a function slower than --sync-trigger-timeout-ms is 400 LambdaSocketTimeoutException (as AWS documents), and nothing is applied', async () => {
      const arn = lambda.register('slow', async (event) => {
        await sleep(SLOW_FUNCTION_MS);
        return event;
      });
      const { identity, address } = await poolWithTrigger(arn);
      const error = await errorOf(push(identity.device(), address, [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]));
      assert.equal(error.name, 'LambdaSocketTimeoutException');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.match(error.message, new RegExp(`did not respond within ${TRIGGER_TIMEOUT_MS} ms`));
      assert.deepEqual(await stored(identity.device(), address), { records: {}, syncCount: 0 });
    });

    it('a function Lambda does not know is 400 InvalidLambdaFunctionOutputException naming ResourceNotFoundException', async () => {
      const { identity, address } = await poolWithTrigger(lambda.arnOf('deleted-function'));
      const error = await errorOf(push(identity.device(), address, [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]));
      assert.equal(error.name, 'InvalidLambdaFunctionOutputException');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.match(error.message, /could not be invoked: ResourceNotFoundException: Function not found/);
    });

    it('a stale SyncCount is 409 before the function runs; records the function adds still count toward the quotas', async () => {
      const arn = lambda.register('flood', (event) => {
        for (let i = 0; i < 1100; i += 1) event.datasetRecords[`extra-${i}`] = { newValue: 'x', op: 'replace' };
        return event;
      });
      const counted = lambda.register('counted', (event) => event);
      const { identity, address } = await poolWithTrigger(counted);
      const device = identity.device();
      await push(device, address, [{ Op: 'replace', Key: 'k', Value: 'v1', SyncCount: 0 }]);
      assert.equal(lambda.invocationsOf('counted').length, 1);

      const conflict = await errorOf(push(device, address, [{ Op: 'replace', Key: 'k', Value: 'v2', SyncCount: 0 }]));
      assert.equal(conflict.name, 'ResourceConflictException');
      assert.equal(conflict.$metadata.httpStatusCode, 409);
      assert.equal(conflict.message, 'Current SyncCount for: k is: 1 not: 0');
      assert.equal(lambda.invocationsOf('counted').length, 1, 'the function did not run for a batch that could not be written');

      await server.syncClient().send(new SetCognitoEventsCommand({ IdentityPoolId: address.IdentityPoolId, Events: { SyncTrigger: arn } }));
      const limit = await errorOf(push(device, address, [{ Op: 'replace', Key: 'k', Value: 'v2', SyncCount: 1 }]));
      assert.equal(limit.name, 'LimitExceededException');
      assert.match(limit.message, /maxRecordsPerDataset/);
      assert.deepEqual(await stored(device, address), { records: { k: ['v1', 1] }, syncCount: 1 });
    });
  });
});

describe('the sync trigger when Lambda cannot be reached', { timeout: 300_000 }, () => {
  it('answers 500 InternalErrorException saying so, and nothing is applied', async () => {
    const lambda = await new LambdaStandIn().start();
    const env = lambda.env();
    await lambda.close(); // Its port is now closed: connections are refused.
    const server = await startServer({ env });
    try {
      const poolId = await createIdentityPool(server);
      await server.syncClient().send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: lambda.arnOf('any') } }));
      const identity = await newIdentity(server, poolId);
      const address = addressOf(identity);
      const error = await errorOf(push(identity.device(), address, [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]));
      assert.equal(error.name, 'InternalErrorException');
      assert.equal(error.$metadata.httpStatusCode, 500);
      assert.match(error.message, /could not be reached; nothing was written/);
      assert.deepEqual(await stored(identity.device(), address), { records: {}, syncCount: 0 });
    } finally {
      await server.dispose();
    }
  });
});
