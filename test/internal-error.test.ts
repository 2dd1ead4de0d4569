// test-pass: sqlite only — the pipeline is built in-process with no store behind it.
// An unexpected failure inside a handler: 500 InternalErrorException naming the request id, the error
// logged with that id, and nothing internal in the body. The pipeline is built in-process here so a
// handler can be made to fail on purpose; everything else on the path is the real code.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { StoreCredentialResolver } from '../src/auth/credential-resolver.ts';
import { noThrottle } from '../src/auth/throttle.ts';
import { cognitoIdentityModel } from '../src/model/cognito-identity.ts';
import { cognitoSyncModel } from '../src/model/cognito-sync.ts';
import { createPipeline } from '../src/pipeline.ts';
import { Router } from '../src/protocol/router.ts';
import type { DeveloperKey } from '../src/store/store.ts';
import { sendSigned } from './helpers/raw-http.ts';

describe('unexpected errors', { timeout: 120_000 }, () => {
  it('answer 500 InternalErrorException with the request id, log it, and leak nothing', async () => {
    const key: DeveloperKey = { accessKeyId: 'AKIAINTERNALERROR000', secretAccessKey: 'internal-error-test-secret', accountId: '123456789012', createdAt: new Date() };
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
    const pipeline = createPipeline({
      router: new Router([cognitoSyncModel, cognitoIdentityModel]),
      handlers: new Map([['cognito-sync', {
        async GetIdentityPoolConfiguration() {
          throw new Error('database exploded at /var/lib/secret/path.db');
        },
      }]]),
      credentials: new StoreCredentialResolver({
        getDeveloperKey: async (id) => (id === key.accessKeyId ? key : undefined),
      }),
      throttle: noThrottle,
      region: 'us-east-1',
      maxBodyBytes: 1024,
      logger,
    });
    const server = createServer((req, res) => void pipeline(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await sendSigned(url, { method: 'GET', path: '/identitypools/us-east-1%3A0000/configuration' }, { credentials: key, service: 'cognito-sync' });
      assert.equal(res.status, 500);
      assert.equal(res.headers['x-amzn-errortype'], 'InternalErrorException:');
      const requestId = String(res.headers['x-amzn-requestid']);
      assert.match(res.json().message as string, new RegExp(requestId));
      assert.doesNotMatch(res.text, /exploded|secret|\.ts|at /);
      const logged = lines.find((l) => l.requestId === requestId && l.err);
      assert.ok(logged, 'the failure is logged with the request id');
      assert.match(JSON.stringify(logged.err), /database exploded/);
    } finally {
      server.close();
    }
  });
});
