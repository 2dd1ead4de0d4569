// What Node's HTTP server would answer bare (status line, no body) is answered AWS-shaped: an unknown Expect,
// HTTP/1.1 without Host, unparseable requests, oversized headers or chunk extensions, CONNECT, and connections
// too slow to send their headers or their body (408 after --headers-timeout-ms / --request-timeout-ms, set
// small here so nothing waits long). Raw sockets, since no HTTP client sends these.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { exchange, openSocket, type SocketAnswer } from './helpers/raw-socket.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEADERS_TIMEOUT_MS = 300;
const REQUEST_TIMEOUT_MS = 700;

function assertAwsShaped(answer: SocketAnswer, status: number, code: string, message: RegExp) {
  assert.equal(answer.status, status, answer.raw);
  assert.equal(answer.headers['x-amzn-errortype'], `${code}:`, answer.raw);
  assert.match(answer.headers['x-amzn-requestid'] ?? '', UUID);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  const body = answer.json();
  assert.equal(body.__type, code);
  assert.match(String(body.message), message);
}

const getIdHead = (extra = '') =>
  'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n' +
  `X-Amz-Target: AWSCognitoIdentityService.GetId\r\nConnection: close\r\n${extra}`;

describe('answers Node would send bare', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--headers-timeout-ms', String(HEADERS_TIMEOUT_MS), '--request-timeout-ms', String(REQUEST_TIMEOUT_MS)] });
  });
  after(async () => {
    await server.dispose();
  });

  it('an Expect other than 100-continue: 417 naming it', async () => {
    const answer = await exchange(server.url, `${getIdHead('Expect: 200-ok\r\nContent-Length: 2\r\n')}\r\n{}`);
    assertAwsShaped(answer, 417, 'ExpectationFailedException', /Expect: 200-ok is not supported/);
  });

  it('Expect: 100-continue still gets its 100 and then the real answer', async () => {
    const connection = await openSocket(server.url);
    const continued = new Promise<void>((resolve) => connection.socket.on('data', (chunk: Buffer) => chunk.toString().includes('100 Continue') && resolve()));
    connection.write(`${getIdHead('Expect: 100-continue\r\nContent-Length: 2\r\n')}\r\n`);
    await continued;
    connection.write('{}');
    const answer = await connection.answer();
    assert.match(answer.raw, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 /);
    assert.match(answer.raw, /identityPoolId.*must not be null/, 'the operation itself answered');
  });

  it('HTTP/1.1 without Host: 400 naming Host; HTTP/1.0 needs none', async () => {
    assertAwsShaped(await exchange(server.url, 'GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, 'BadRequestException', /Host header/);
    const old = await exchange(server.url, 'GET /health/live HTTP/1.0\r\n\r\n');
    assert.equal(old.status, 200, old.raw);
  });

  it('an unparseable request: 400', async () => {
    assertAwsShaped(await exchange(server.url, 'THIS IS NOT HTTP\r\n\r\n'), 400, 'BadRequestException', /Malformed HTTP request/);
  });

  it('oversized headers: 431', async () => {
    assertAwsShaped(await exchange(server.url, `${getIdHead(`X-Padding: ${'p'.repeat(20_000)}\r\n`)}\r\n`), 431, 'RequestHeaderFieldsTooLarge', /headers exceed/);
  });

  it('oversized chunk extensions: 413', async () => {
    const answer = await exchange(server.url, `${getIdHead('Transfer-Encoding: chunked\r\n')}\r\n2;${'x'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`);
    assertAwsShaped(answer, 413, 'RequestEntityTooLargeException', /Chunk extensions/);
  });

  it('CONNECT: 405', async () => {
    assertAwsShaped(await exchange(server.url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'), 405, 'UnknownOperationException', /CONNECT/);
  });

  it('headers that stop half-way: 408 after the headers timeout, connection closed', async () => {
    const connection = await openSocket(server.url);
    connection.write('POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Tar');
    const answer = await connection.answer();
    assertAwsShaped(answer, 408, 'RequestTimeoutException', new RegExp(`headers did not arrive within ${HEADERS_TIMEOUT_MS} ms`));
    assert.ok(answer.closed);
  });

  it('a connection that sends nothing: 408 after the headers timeout', async () => {
    const answer = await (await openSocket(server.url)).answer();
    assertAwsShaped(answer, 408, 'RequestTimeoutException', /headers did not arrive/);
    assert.ok(answer.closed);
  });

  it('a body that stops half-way: 408 after the request timeout, counted as a 408 in /metrics', async () => {
    const connection = await openSocket(server.url);
    connection.write(`${getIdHead('Content-Length: 60\r\n')}\r\n{"IdentityPoolId":`);
    const answer = await connection.answer();
    assertAwsShaped(answer, 408, 'RequestTimeoutException', new RegExp(`did not arrive whole within ${REQUEST_TIMEOUT_MS} ms`));
    assert.ok(answer.closed);
    let metrics = '';
    for (let attempt = 0; attempt < 50 && !/operation="GetId",status="408"/.test(metrics); attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await (await fetch(`${server.url}/metrics`)).text();
    }
    assert.match(metrics, /cognito_sync_requests_total\{operation="GetId",status="408"\} 1\n/);
    assert.doesNotMatch(metrics, /status="5\d\d"/);
    assert.doesNotMatch(server.stdout(), /"level":50/, 'nothing was logged as an error');
  });

  it('refuses a headers timeout longer than the request timeout, and timeouts out of range', () => {
    const cli = new URL('../dist/cli.js', import.meta.url).pathname;
    for (const [args, message] of [
      [['--headers-timeout-ms', '5000', '--request-timeout-ms', '1000'], /headers-timeout-ms \(5000\) must not exceed request-timeout-ms \(1000\)/],
      [['--headers-timeout-ms', '5'], /headers-timeout-ms must be an integer from 100/],
    ] as const) {
      const run = spawnSync(process.execPath, [cli, '--port', '0', '--data-dir', server.dataDir, ...args], { encoding: 'utf8', timeout: 15_000 });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, message);
    }
    const fromEnv = spawnSync(process.execPath, [cli, '--port', '0', '--data-dir', server.dataDir], {
      encoding: 'utf8', timeout: 15_000, env: { ...process.env, COGNITO_SYNC_REQUEST_TIMEOUT_MS: 'soon' },
    });
    assert.equal(fromEnv.status, 2, fromEnv.stderr);
    assert.match(fromEnv.stderr, /request-timeout-ms must be an integer/);
  });
});
