// The AWS SDK clients of the deliveries (Kinesis and S3 for Cognito Streams, SNS for push sync, Lambda for the
// sync trigger) load on first use. A load that fails once must not be remembered: the next use loads again.
// Each client runs against its stand-in (kinesalite, the SNS and Lambda stand-ins) with a loader that fails once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CognitoStreamRecord } from '../src/delivery/cognito-stream-record.ts';
import { KinesisStreamPublisher } from '../src/delivery/kinesis-stream-publisher.ts';
import { LambdaSyncTrigger } from '../src/delivery/lambda-sync-trigger.ts';
import { Lazy } from '../src/delivery/lazy-load.ts';
import { SnsMobilePush } from '../src/delivery/sns-mobile-push.ts';
import { createLogger } from '../src/logger.ts';
import { LambdaStandIn } from './helpers/lambda-stand-in.ts';
import { type SnsStandIn, startSnsStandIn } from './helpers/sns-stand-in.ts';
import { type StreamServices, startStreamServices } from './helpers/stream-services.ts';

/** `load`, except that its first call fails as a broken import() would. */
function failingOnce<T>(load: () => Promise<T>) {
  let calls = 0;
  const loader = async () => {
    calls += 1;
    if (calls === 1) throw new Error('simulated failure of the first import()');
    return load();
  };
  return Object.assign(loader, { calls: () => calls });
}

describe('lazily loaded SDK clients', { timeout: 120_000 }, () => {
  it('Lazy keeps a successful load, shares one under way, and forgets a failed one', async () => {
    const loader = failingOnce(async () => ({ loaded: true }));
    const lazy = new Lazy(loader);
    await assert.rejects(lazy.get(), /simulated failure/);
    assert.equal(lazy.started(), undefined, 'a failed load is not kept');
    const [first, second] = await Promise.all([lazy.get(), lazy.get()]);
    assert.equal(first, second);
    assert.deepEqual(await lazy.get(), { loaded: true });
    assert.equal(loader.calls(), 2, 'one failed load, then one load shared by every later use');
  });

  describe('against the stand-ins', () => {
    let lambda: LambdaStandIn;
    let sns: SnsStandIn;
    let streams: StreamServices;
    const saved = { ...process.env };
    before(async () => {
      lambda = await new LambdaStandIn().start();
      sns = await startSnsStandIn();
      streams = await startStreamServices();
      // The clients read the standard AWS SDK configuration of this process; the Lambda stand-in checks
      // signatures against its own key, the others accept any.
      for (const [name, value] of Object.entries({ ...streams.env, ...lambda.env(), AWS_ENDPOINT_URL_SNS: sns.url })) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    after(async () => {
      process.env = saved;
      await Promise.all([lambda?.close(), sns?.stop(), streams?.close()]);
    });

    it('the Lambda client of the sync trigger loads again after a failed load', async () => {
      const arn = lambda.register('echo', (event) => ({ ...event, seen: true }));
      const loader = failingOnce(() => import('@aws-sdk/client-lambda'));
      const trigger = new LambdaSyncTrigger({ logger: createLogger('silent'), fallbackRegion: 'us-east-1', loadSdk: loader });
      const failed = await trigger.invoke(arn, { n: 1 }, 10_000);
      assert.equal(failed.outcome, 'unavailable');
      const retried = await trigger.invoke(arn, { n: 2 }, 10_000);
      assert.equal(retried.outcome, 'returned', JSON.stringify(retried));
      assert.deepEqual(lambda.invocationsOf('echo').map((i) => i.event), [{ n: 2 }]);
      trigger.close();
    });

    it('the SNS client of push sync loads again after a failed load', async () => {
      const application = sns.createPlatformApplication('GCM', 'lazy-loading');
      const loader = failingOnce(() => import('@aws-sdk/client-sns'));
      const push = new SnsMobilePush({ loadSdk: loader });
      await assert.rejects(push.registerEndpoint(application, 'device-token-1'), /simulated failure/);
      const endpointArn = await push.registerEndpoint(application, 'device-token-1');
      assert.ok(sns.endpoints.has(endpointArn), endpointArn);
      push.close();
    });

    it('the Kinesis and S3 clients of Cognito Streams load again after a failed load', async () => {
      await streams.createStream('lazy-loading');
      const loader = failingOnce(async () => ({
        kinesisSdk: await import('@aws-sdk/client-kinesis'),
        s3Sdk: await import('@aws-sdk/client-s3'),
        presigner: await import('@aws-sdk/s3-request-presigner'),
        httpHandler: await import('@smithy/node-http-handler'),
      }));
      const publisher = new KinesisStreamPublisher({ fallbackRegion: 'us-east-1', s3UrlTtlSeconds: 60, loadSdks: loader });
      const record: CognitoStreamRecord = {
        identityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000001',
        identityId: 'us-east-1:00000000-0000-0000-0000-000000000002',
        datasetName: 'lazy',
        operation: 'replace',
        kinesisSyncRecords: [],
        lastModifiedDate: Date.now(),
        kinesisSyncRecordsURL: null,
        payloadType: 'Inline',
        syncCount: 1,
      };
      const outgoing = [{ record, s3Key: 'unused' }];
      await assert.rejects(publisher.publish('lazy-loading', outgoing), /simulated failure/);
      await publisher.publish('lazy-loading', outgoing);
      const onStream = await streams.readStream('lazy-loading');
      assert.deepEqual(onStream.map((r) => r.data.datasetName), ['lazy']);
      publisher.close();
    });
  });
});
