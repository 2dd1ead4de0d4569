// The operator endpoint (POST /operator/status, /operator/backup) and the console's static files. The endpoint
// takes developer keys only, verified like every AWS request: unsigned requests, unknown keys, wrong secrets,
// identity credentials and signatures for another service are refused with AWS-shaped errors. The console is
// served with its Content-Security-Policy and cache headers, and `--console false` turns it off.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { send, sendSigned, sign } from './helpers/raw-http.ts';
import { startServer, TEST_STORE, type TestServer } from './helpers/server.ts';
import { createIdentityPool, newIdentity } from './helpers/sync-identities.ts';

const SERVICE = 'cognito-sync-operator';
const status = { method: 'POST', path: '/operator/status', body: '{}', headers: { 'content-type': 'application/json' } };

describe('operator endpoint and console files', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.dispose());

  const errorOf = (answer: { status: number; headers: Record<string, unknown>; json(): Record<string, unknown> }) => ({
    status: answer.status,
    type: answer.headers['x-amzn-errortype'],
    bodyType: answer.json().__type,
  });

  it('answers a developer-signed status call with store, outbox, server and account facts', async () => {
    const answer = await sendSigned(server.url, status, { credentials: server.developer, service: SERVICE });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const body = answer.json() as Record<string, Record<string, unknown>>;
    assert.equal(body.store!.kind, TEST_STORE);
    assert.equal(body.store!.answers, true);
    assert.equal(body.store!.onlineBackup, TEST_STORE === 'sqlite');
    assert.equal(typeof body.outbox!.depth, 'number');
    // A new server has nothing waiting and no dead letters (test/outbox-dead-letters.test.ts makes some).
    assert.deepEqual(body.outbox!.depthByKind, {});
    assert.equal(body.outbox!.deadLetters, 0);
    assert.equal(body.server!.version, '0.1.0');
    assert.equal(body.server!.region, 'us-east-1');
    assert.match(String(body.server!.node), /^v\d+/);
    assert.deepEqual(body.account, { accountId: server.developer.accountId, poolsScanned: 0, truncated: false, streamsTurnedOff: [] });
  });

  it('refuses unsigned calls, unknown keys, wrong secrets, identity credentials and other services’ signatures', async () => {
    assert.deepEqual(errorOf(await send(server.url, status)), { status: 403, type: 'MissingAuthenticationTokenException:', bodyType: 'MissingAuthenticationTokenException' });

    const unknownKey = { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'whatever-secret-1234' };
    assert.deepEqual(errorOf(await sendSigned(server.url, status, { credentials: unknownKey, service: SERVICE })), {
      status: 403,
      type: 'UnrecognizedClientException:',
      bodyType: 'UnrecognizedClientException',
    });

    const wrongSecret = { accessKeyId: server.developer.accessKeyId, secretAccessKey: `${server.developer.secretAccessKey}x` };
    assert.deepEqual(errorOf(await sendSigned(server.url, status, { credentials: wrongSecret, service: SERVICE })), {
      status: 403,
      type: 'InvalidSignatureException:',
      bodyType: 'InvalidSignatureException',
    });

    const poolId = await createIdentityPool(server);
    const user = await newIdentity(server, poolId);
    const asIdentity = await sendSigned(server.url, status, { credentials: user.credentials, service: SERVICE });
    assert.deepEqual(errorOf(asIdentity), { status: 403, type: 'AccessDeniedException:', bodyType: 'AccessDeniedException' });
    assert.match(String(asIdentity.json().message), /developer credentials only/);

    const otherService = await sendSigned(server.url, status, { credentials: server.developer, service: 'cognito-sync' });
    assert.deepEqual(errorOf(otherService), { status: 403, type: 'InvalidSignatureException:', bodyType: 'InvalidSignatureException' });
    assert.match(String(otherService.json().message), /cognito-sync-operator/);

    // A body changed after signing (same length) no longer matches the signature.
    const signed = await sign(server.url, { ...status, body: '{"a":1}' }, { credentials: server.developer, service: SERVICE });
    const tampered = await send(server.url, { ...signed, body: '{"a":2}' });
    assert.deepEqual(errorOf(tampered), { status: 403, type: 'InvalidSignatureException:', bodyType: 'InvalidSignatureException' });
  });

  it('names unknown operations, wrong methods and bad bodies', async () => {
    const unknown = await sendSigned(server.url, { ...status, path: '/operator/shutdown' }, { credentials: server.developer, service: SERVICE });
    assert.deepEqual(errorOf(unknown), { status: 404, type: 'UnknownOperationException:', bodyType: 'UnknownOperationException' });
    const get = await sendSigned(server.url, { method: 'GET', path: '/operator/status' }, { credentials: server.developer, service: SERVICE });
    assert.deepEqual(errorOf(get), { status: 405, type: 'UnknownOperationException:', bodyType: 'UnknownOperationException' });
    const badJson = await sendSigned(server.url, { ...status, body: '{"not json' }, { credentials: server.developer, service: SERVICE });
    assert.deepEqual(errorOf(badJson), { status: 400, type: 'SerializationException:', bodyType: 'SerializationException' });
  });

  it('serves the built console with its Content-Security-Policy, immutable hashed assets and a revalidated index', async () => {
    const index = await send(server.url, { method: 'GET', path: '/console/' });
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    const csp = String(index.headers['content-security-policy']);
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) assert.ok(csp.includes(directive), directive);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(index.text)?.[1];
    assert.ok(script, 'index.html loads a hashed script');
    assert.ok(!/<script>(?!<)/.test(index.text) && !/ on\w+=/.test(index.text), 'no inline script in index.html');
    const asset = await send(server.url, { method: 'GET', path: script!, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(asset.headers['content-encoding'], 'gzip');
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);

    const bare = await send(server.url, { method: 'GET', path: '/console' });
    assert.equal(bare.status, 308);
    assert.equal(bare.headers.location, '/console/');
    const missing = await send(server.url, { method: 'GET', path: '/console/assets/nope.js' });
    assert.equal(missing.status, 404);
    const escape = await send(server.url, { method: 'GET', path: '/console/..%2f..%2fpackage.json' });
    assert.equal(escape.status, 404);
    const config = await send(server.url, { method: 'GET', path: '/console/config.json' });
    assert.deepEqual(config.json(), { region: 'us-east-1' });
    const post = await send(server.url, { method: 'POST', path: '/console/', body: '' });
    assert.equal(post.status, 405);
    // The build step wrote what is served.
    assert.ok(readdirSync(new URL('../dist/console/assets/', import.meta.url)).some((f) => script!.endsWith(f)));
  });
});

describe('--console false', { timeout: 60_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { COGNITO_SYNC_CONSOLE: 'false' } });
  });
  after(() => server?.dispose());

  it('serves no console, and the operator endpoint stays', async () => {
    const index = await send(server.url, { method: 'GET', path: '/console/' });
    assert.equal(index.status, 404);
    assert.equal(index.headers['x-amzn-errortype'], 'UnknownOperationException:');
    assert.ok(!index.text.includes('<html'));
    const answer = await sendSigned(server.url, status, { credentials: server.developer, service: SERVICE });
    assert.equal(answer.status, 200);
  });
});
