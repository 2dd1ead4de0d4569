// Throttling shared by every node through Redis: two nodes configured with one Redis admit the account's
// rate between them, not each. Without a reachable Redis a node still starts and throttles on its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { sendSigned } from './helpers/raw-http.ts';
import { skipUnlessRedis, TEST_REDIS_URL } from './helpers/redis.ts';
import { newDeveloperCredentials, startServer, type TestServer } from './helpers/server.ts';

const RATE = 5;

/**
 * Sends `perNode` concurrent requests to each node and counts answers. The limiter counts in one-second
 * windows that open at an account's first request; a burst that took longer than that could straddle two
 * windows, so such a burst is repeated (after its window has expired) rather than judged.
 */
async function burst(nodes: TestServer[], perNode: number): Promise<{ accepted: number; throttled: number; other: string[] }> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const results = await Promise.allSettled(
      nodes.flatMap((node) => Array.from({ length: perNode }, () => node.identityClient().send(new ListIdentityPoolsCommand({ MaxResults: 1 })))),
    );
    const tookMs = performance.now() - started;
    if (tookMs < 900 || attempt === 5) {
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { name: string }).name] : []));
      return {
        accepted: results.filter((r) => r.status === 'fulfilled').length,
        throttled: reasons.filter((n) => n === 'TooManyRequestsException').length,
        other: reasons.filter((n) => n !== 'TooManyRequestsException'),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
}

describe('throttling shared through Redis', { skip: await skipUnlessRedis(), timeout: 120_000 }, () => {
  const developer = newDeveloperCredentials();
  let nodes: TestServer[] = [];
  before(async () => {
    const args = ['--rate-limit', String(RATE), '--redis-url', TEST_REDIS_URL];
    nodes = await Promise.all([startServer({ developer, args }), startServer({ developer, args })]);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
  });

  it(`two nodes together admit ${RATE} requests per second for one account, not ${RATE} each`, async () => {
    const { accepted, throttled, other } = await burst(nodes, RATE + 1);
    assert.deepEqual(other, []);
    assert.equal(accepted, RATE, `one shared budget: ${accepted} accepted of ${2 * (RATE + 1)}`);
    assert.equal(throttled, RATE + 2);
  });

  it(`bad signatures are throttled through Redis too: at most ${RATE} a second from one client reach verification on both nodes`, async () => {
    const wrongSecret = { accessKeyId: developer.accessKeyId, secretAccessKey: 'not-the-secret-not-the-secret' };
    const request = { method: 'POST', path: '/', headers: { 'x-amz-target': 'AWSCognitoIdentityService.ListIdentityPools', 'content-type': 'application/x-amz-json-1.1' }, body: '{"MaxResults":1}' };
    // As in burst(): a flood that straddled two one-second windows is sent again rather than judged.
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const answers = await Promise.all(
        nodes.flatMap((node) => Array.from({ length: RATE + 1 }, () => sendSigned(node.url, request, { credentials: wrongSecret, service: 'cognito-identity' }))),
      );
      if (performance.now() - started >= 900 && attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        continue;
      }
      const codes = answers.map((res) => String(res.json().__type));
      const verified = codes.filter((c) => c === 'InvalidSignatureException').length;
      assert.equal(verified + codes.filter((c) => c === 'TooManyRequestsException').length, codes.length, codes.join(' '));
      assert.ok(verified <= RATE, `${verified} of ${codes.length} reached verification: ${codes.join(' ')}`);
      return;
    }
  });
});

describe('throttling when Redis is unreachable', { timeout: 120_000 }, () => {
  let node: TestServer;
  before(async () => {
    // Port 1: nothing listens there. The node must still start and serve.
    node = await startServer({ args: ['--rate-limit', String(RATE), '--redis-url', 'redis://127.0.0.1:1'] });
  });
  after(async () => {
    await node.dispose();
  });

  it('the node starts, serves, and throttles on its own', async () => {
    const { accepted, throttled, other } = await burst([node], RATE + 3);
    assert.deepEqual(other, []);
    assert.equal(accepted, RATE);
    assert.equal(throttled, 3);
  });
});
