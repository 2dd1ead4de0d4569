// A client that goes away half-way through sending its body (closing its side, or resetting the connection) is
// not a server error: no error-level log, no 5xx in /metrics. It is counted as status 499 (nginx's "client
// closed request"), so anyone can see it happening without it inflating the 5xx alert.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSocket } from './helpers/raw-socket.ts';
import { startServer, type TestServer } from './helpers/server.ts';

describe('clients that disconnect mid-body', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();

  /** Polls /metrics (bounded) until `pattern` shows, returning the last text either way. */
  async function metricsOnce(pattern: RegExp): Promise<string> {
    let text = '';
    for (let attempt = 0; attempt < 100; attempt++) {
      text = await metrics();
      if (pattern.test(text)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return text;
  }

  const requestCounts = (text: string) => text.split('\n').filter((line) => line.startsWith('cognito_sync_requests_total{'));

  async function startBodyThenLeave(leave: 'close' | 'reset') {
    const connection = await openSocket(server.url);
    connection.write(
      'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n' +
        'X-Amz-Target: AWSCognitoIdentityService.GetId\r\nContent-Length: 1000\r\n\r\n{"IdentityPoolId":"us-east-1:',
    );
    // Leave only once the server is reading this body.
    assert.ok(/cognito_sync_http_requests_in_flight 1\n/.test(await metricsOnce(/cognito_sync_http_requests_in_flight 1\n/)), 'the request reached the server');
    if (leave === 'reset') connection.socket.resetAndDestroy();
    else connection.socket.end();
  }

  it('closing or resetting the connection mid-body counts as 499, never as a 500, and logs no error', async () => {
    await startBodyThenLeave('close');
    const counted = await metricsOnce(/operation="GetId",status="499"\} 1\n/);
    assert.deepEqual(requestCounts(counted), ['cognito_sync_requests_total{operation="GetId",status="499"} 1']);

    await startBodyThenLeave('reset');
    const countedAgain = await metricsOnce(/operation="GetId",status="499"\} 2\n/);
    assert.deepEqual(requestCounts(countedAgain), ['cognito_sync_requests_total{operation="GetId",status="499"} 2'], 'no 5xx counted');
    assert.ok(/cognito_sync_http_requests_in_flight 0\n/.test(await metrics()), 'nothing left in flight');
    assert.doesNotMatch(server.stdout(), /"level":50/, 'nothing was logged as an error');
  });

  it('the server goes on serving on other connections', async () => {
    const health = await fetch(`${server.url}/health/live`);
    assert.equal(health.status, 200);
  });
});
