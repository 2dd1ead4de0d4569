// Throttling what a flood can send: every request is counted against its client's address before its signature
// is checked (so bad signatures are throttled too), signed requests also against their account. Behind trusted
// proxies the client is read from X-Forwarded-For; from anyone else that header is ignored. The in-process
// bucket map stays bounded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { TokenBucketThrottle } from '../src/auth/throttle.ts';
import { createPool } from './helpers/identity-flows.ts';
import { type RawResponse, send, sendSigned } from './helpers/raw-http.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const RATE = 3;
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;

/** An unsigned GetId as the SDKs send it, from `forwardedFor` when given. */
function getId(server: TestServer, poolId: string, forwardedFor?: string): Promise<RawResponse> {
  return send(server.url, {
    method: 'POST',
    path: '/',
    headers: {
      'x-amz-target': 'AWSCognitoIdentityService.GetId',
      'content-type': 'application/x-amz-json-1.1',
      ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify({ IdentityPoolId: poolId }),
  });
}

const codeOf = (res: RawResponse) => (res.status === 200 ? 'ok' : String(res.json().__type));
const count = (codes: string[], code: string) => codes.filter((c) => c === code).length;

describe('throttling by client address', { timeout: 120_000 }, () => {
  describe('behind proxies trusted by address (--trusted-proxies 127.0.0.0/8)', () => {
    let server: TestServer;
    let poolId: string;
    before(async () => {
      server = await startServer({ args: ['--rate-limit', String(RATE), '--trusted-proxies', '127.0.0.0/8'] });
      poolId = await createPool(server);
    });
    after(() => server?.dispose());

    it('throttles requests with bad signatures before checking them, per client, without touching anyone else', async () => {
      const wrongSecret = { accessKeyId: server.developer.accessKeyId, secretAccessKey: 'not-the-secret-not-the-secret' };
      const path = `/identitypools/${encodeURIComponent(poolId)}/configuration`;
      const flood = await Promise.all(
        Array.from({ length: 12 }, () =>
          sendSigned(server.url, { method: 'GET', path, headers: { 'x-forwarded-for': '203.0.113.9' } }, { credentials: wrongSecret, service: 'cognito-sync' }),
        ),
      );
      const codes = flood.map(codeOf);
      assert.ok(count(codes, 'TooManyRequestsException') > 0, `the flood was throttled: ${codes.join(' ')}`);
      assert.equal(count(codes, 'TooManyRequestsException') + count(codes, 'InvalidSignatureException'), codes.length, codes.join(' '));
      const throttled = flood.find((res) => codeOf(res) === 'TooManyRequestsException')!;
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers['x-amzn-errortype'], 'TooManyRequestsException:');
      assert.match(String(throttled.json().message), /client address/);
      // The account whose key id the flood claimed is not throttled for it: its own client is served.
      const legitimate = await sendSigned(
        server.url,
        { method: 'GET', path, headers: { 'x-forwarded-for': '198.51.100.7' } },
        { credentials: server.developer, service: 'cognito-sync' },
      );
      assert.equal(legitimate.status, 200, legitimate.text);
    });

    it('gives each device behind the proxy its own bucket for unsigned GetId', async () => {
      const devices = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::4', '192.0.2.5'];
      const answers = await Promise.all(devices.flatMap((device) => Array.from({ length: 10 }, async () => ({ device, code: codeOf(await getId(server, poolId, device)) }))));
      for (const device of devices) {
        const codes = answers.filter((a) => a.device === device).map((a) => a.code);
        assert.ok(count(codes, 'ok') >= 1, `${device} was served: ${codes.join(' ')}`);
        assert.ok(count(codes, 'TooManyRequestsException') >= 1, `${device} was throttled on its own: ${codes.join(' ')}`);
        assert.equal(count(codes, 'ok') + count(codes, 'TooManyRequestsException'), codes.length, codes.join(' '));
      }
    });
  });

  describe('behind one load balancer (--trusted-proxies 1)', () => {
    let server: TestServer;
    let poolId: string;
    before(async () => {
      server = await startServer({ args: ['--rate-limit', String(RATE), '--trusted-proxies', '1'] });
      poolId = await createPool(server);
    });
    after(() => server?.dispose());

    it('reads the client the balancer appended, not what the client wrote before it', async () => {
      // Each request claims another address on the left; the balancer's entry (rightmost) is the same.
      const spoofed = await Promise.all(Array.from({ length: 10 }, (_, i) => getId(server, poolId, `10.0.0.${i}, 192.0.2.77`)));
      assert.ok(count(spoofed.map(codeOf), 'TooManyRequestsException') >= 1, spoofed.map(codeOf).join(' '));
      const other = await getId(server, poolId, '10.0.0.1, 192.0.2.78');
      assert.equal(other.status, 200, other.text);
    });
  });

  describe('with no trusted proxy (the default)', () => {
    let server: TestServer;
    let poolId: string;
    before(async () => {
      server = await startServer({ args: ['--rate-limit', String(RATE)] });
      poolId = await createPool(server);
    });
    after(() => server?.dispose());

    it('ignores X-Forwarded-For: a client cannot pick a fresh bucket per request', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => getId(server, poolId, `192.0.2.${100 + i}`)));
      assert.ok(count(answers.map(codeOf), 'TooManyRequestsException') >= 1, answers.map(codeOf).join(' '));
    });
  });

  it('refuses a malformed --trusted-proxies with exit code 2 naming it', () => {
    for (const value of ['not-an-address', '10.0.0.0/33', '0']) {
      const result = spawnSync(process.execPath, [CLI, '--port', '0', '--trusted-proxies', value], { encoding: 'utf8', timeout: 15_000 });
      assert.equal(result.status, 2, `${value}: ${result.stderr}`);
      assert.match(result.stderr, /trusted-proxies/);
    }
  });
});

describe('the in-process bucket map', { timeout: 30_000 }, () => {
  it('holds at most maxBuckets buckets, dropping the least recently used', () => {
    let now = 0;
    const throttle = new TokenBucketThrottle(10, { maxBuckets: 100, now: () => now });
    // One client drains its bucket, then keeps coming back while 10,000 others pass through.
    for (let i = 0; i < 10; i++) throttle.take('client', 'busy');
    for (let i = 0; i < 10_000; i++) {
      throttle.take('client', `passer-by-${i}`);
      if (i % 50 === 0) assert.throws(() => throttle.take('client', 'busy'), { name: 'TooManyRequestsException' });
      now += 0.001;
    }
    assert.ok(throttle.size <= 100, `${throttle.size} buckets held`);
  });

  it('drops buckets idle long enough to have refilled', () => {
    let now = 0;
    const throttle = new TokenBucketThrottle(10, { now: () => now });
    for (let i = 0; i < 1_000; i++) throttle.take('client', `device-${i}`);
    assert.equal(throttle.size, 1_000);
    now += 1_000; // one second: every bucket is full again
    throttle.take('account', '123456789012');
    assert.equal(throttle.size, 1);
    // A dropped bucket comes back full: nothing about it was lost.
    for (let i = 0; i < 10; i++) throttle.take('client', 'device-0');
    assert.throws(() => throttle.take('client', 'device-0'), { name: 'TooManyRequestsException' });
  });
});
