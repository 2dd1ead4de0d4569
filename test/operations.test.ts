// Running it in production: Prometheus metrics, liveness and readiness, and a shutdown that lets requests
// already in flight finish (and keeps what they wrote).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand, DescribeIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { sign } from './helpers/raw-http.ts';
import { errorOf, startServer, TEST_STORE, type TestServer } from './helpers/server.ts';

async function get(server: TestServer, path: string) {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

/** The value of one sample line of the exposition format, e.g. `name{a="b"}`; labels in any order. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) return Number(match[3]);
  }
  return undefined;
}

describe('metrics and health', { timeout: 300_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  it('GET /metrics counts requests by operation and status, times them, and shows the store', async () => {
    const pool = await server.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'metrics', AllowUnauthenticatedIdentities: true }));
    await server.identityClient().send(new DescribeIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }));
    await errorOf(server.identityClient().send(new DescribeIdentityPoolCommand({ IdentityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000' })));

    const metrics = await get(server, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.type!, /^text\/plain; version=0\.0\.4/);
    const text = metrics.body;
    assert.equal(sample(text, 'cognito_sync_requests_total', { operation: 'CreateIdentityPool', status: '200' }), 1);
    assert.equal(sample(text, 'cognito_sync_requests_total', { operation: 'DescribeIdentityPool', status: '200' }), 1);
    assert.equal(sample(text, 'cognito_sync_requests_total', { operation: 'DescribeIdentityPool', status: '400' }), 1);
    assert.equal(sample(text, 'cognito_sync_request_duration_seconds_count', { operation: 'DescribeIdentityPool' }), 2);
    assert.equal(sample(text, 'cognito_sync_request_duration_seconds_bucket', { operation: 'DescribeIdentityPool', le: '+Inf' }), 2);
    assert.ok(sample(text, 'cognito_sync_request_duration_seconds_sum', { operation: 'CreateIdentityPool' })! > 0);
    assert.equal(sample(text, 'cognito_sync_store_info', { kind: TEST_STORE }), 1);
    assert.equal(sample(text, 'cognito_sync_http_requests_in_flight'), 0);
    assert.ok(sample(text, 'process_cpu_user_seconds_total')! >= 0, 'process metrics are there');
    if (TEST_STORE === 'postgres') {
      assert.equal(sample(text, 'cognito_sync_store_pool_connections', { state: 'max' }), 10, 'the documented default pool size');
      assert.ok(sample(text, 'cognito_sync_store_pool_connections', { state: 'open' })! >= 1);
      assert.equal(sample(text, 'cognito_sync_store_pool_connections', { state: 'waiting' }), 0);
    } else {
      assert.equal(sample(text, 'cognito_sync_store_pool_connections', { state: 'max' }), undefined, 'SQLite has no pool');
    }
    // Scrapes and probes are not API requests.
    await get(server, '/health/ready');
    assert.equal(sample((await get(server, '/metrics')).body, 'cognito_sync_requests_total', { operation: 'Unknown', status: '404' }), undefined);
  });

  it('GET /health/live and /health/ready answer 200 while all is well; GET /health is unchanged', async () => {
    assert.deepEqual(await get(server, '/health/live'), { status: 200, type: 'application/json', body: '{"status":"ok"}' });
    assert.deepEqual(await get(server, '/health/ready'), { status: 200, type: 'application/json', body: JSON.stringify({ status: 'ok', store: TEST_STORE }) });
    assert.deepEqual(await get(server, '/health'), { status: 200, type: 'application/json', body: JSON.stringify({ status: 'ok', store: TEST_STORE }) });
  });
});

describe('graceful shutdown', { timeout: 300_000 }, () => {
  let server: TestServer;
  let restarted: TestServer | undefined;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await restarted?.dispose();
    await server.dispose();
  });

  it('on SIGTERM stops accepting, finishes the request in flight (and keeps its write), then exits 0', async () => {
    const body = JSON.stringify({ IdentityPoolName: 'written-during-shutdown', AllowUnauthenticatedIdentities: true });
    const signed = await sign(
      server.url,
      {
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.CreateIdentityPool' },
        body,
      },
      { credentials: server.developer, service: 'cognito-identity' },
    );
    const url = new URL(server.url);
    let inFlight: ReturnType<typeof httpRequest> | undefined;
    const answered = new Promise<{ status: number; connection?: string; text: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, text }));
      });
      req.on('error', reject);
      req.flushHeaders();
      // Half the body now; the rest only after the server is shutting down.
      req.write(body.slice(0, 10));
      inFlight = req;
    });

    // The request is in flight once the server counts it.
    for (let polls = 0; ; polls++) {
      assert.ok(polls < 500, 'the server counts the request in flight within 10 s');
      const metrics = (await get(server, '/metrics')).body;
      if (/^cognito_sync_http_requests_in_flight 1$/m.test(metrics)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    // New connections are refused once the listener has closed.
    for (let polls = 0; ; polls++) {
      assert.ok(polls < 500, 'the listener closes within 10 s of SIGTERM');
      const refused = await fetch(`${server.url}/health/live`).then(
        () => false,
        () => true,
      );
      if (refused) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(server.child.exitCode, null, 'still running: a request is in flight');
    inFlight!.end(body.slice(10));

    const response = await answered;
    assert.equal(response.status, 200, response.text);
    assert.equal(response.connection, 'close', 'the client is told not to reuse the connection');
    const poolId = JSON.parse(response.text).IdentityPoolId as string;
    assert.equal(await exited, 0);

    restarted = await startServer({ dataDir: server.dataDir, developer: server.developer });
    const described = await restarted.identityClient().send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }));
    assert.equal(described.IdentityPoolName, 'written-during-shutdown');
  });
});
