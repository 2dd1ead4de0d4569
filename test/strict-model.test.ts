// Under test (COGNITO_SYNC_STRICT_MODEL=1, which test/helpers/server.ts sets for every server it starts), the
// pipeline refuses to answer what the model does not declare: an output member the output shape lacks, or an
// error its operation does not list. Production (the default) drops such a member and sends such an error, as
// before. The pipeline is built in-process here so that a handler can misbehave on purpose; everything else on
// the path is the real code.
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
import { ServiceError } from '../src/protocol/errors.ts';
import { Router } from '../src/protocol/router.ts';
import type { OperationHandler } from '../src/services/context.ts';
import type { DeveloperKey } from '../src/store/store.ts';
import { sendSigned } from './helpers/raw-http.ts';

const key: DeveloperKey = { accessKeyId: 'AKIASTRICTMODEL00000', secretAccessKey: 'strict-model-test-secret', accountId: '123456789012', createdAt: new Date() };
const POOL = 'us-east-1:0f2ad2c8-65f5-4a2b-8c53-a3b8e4f4d5a1';

/** Serves one misbehaving GetIdentityPoolConfiguration and calls it once, signed. */
async function callWith(handler: OperationHandler, strictModel: boolean) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
  const pipeline = createPipeline({
    router: new Router([cognitoSyncModel, cognitoIdentityModel]),
    handlers: new Map([['cognito-sync', { GetIdentityPoolConfiguration: handler }]]),
    credentials: new StoreCredentialResolver({
      getDeveloperKey: async (id) => (id === key.accessKeyId ? key : undefined),
    }),
    throttle: noThrottle,
    region: 'us-east-1',
    maxBodyBytes: 1024,
    logger,
    strictModel,
  });
  const server = createServer((req, res) => void pipeline(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await sendSigned(url, { method: 'GET', path: `/identitypools/${encodeURIComponent(POOL)}/configuration` }, { credentials: key, service: 'cognito-sync' });
    const requestId = String(res.headers['x-amzn-requestid']);
    return { res, logged: lines.find((l) => l.requestId === requestId && l.err) };
  } finally {
    server.close();
  }
}

const misspelledTopLevel: OperationHandler = async () => ({ IdentityPoolId: POOL, PushSinc: { ApplicationArns: [] } });
const misspelledNested: OperationHandler = async () => ({ IdentityPoolId: POOL, CognitoStreams: { StreamName: 'events', StreamingStatuss: 'ENABLED' } });
const undeclaredError: OperationHandler = async () => {
  // GetIdentityPoolConfiguration declares no DuplicateRequestException (BulkPublish does).
  throw new ServiceError('DuplicateRequestException', 'a bulk publish is already running');
};

describe('strict model (under test)', { timeout: 60_000 }, () => {
  it('an output member the model lacks fails the request (500, logged) instead of being dropped', async () => {
    const { res, logged } = await callWith(misspelledTopLevel, true);
    assert.equal(res.status, 500);
    assert.equal(res.headers['x-amzn-errortype'], 'InternalErrorException:');
    assert.ok(logged, 'the refusal is logged with the request id');
    assert.match(JSON.stringify(logged.err), /output member PushSinc is not in the model's GetIdentityPoolConfigurationResponse/);
  });

  it('also inside nested structures', async () => {
    const { res, logged } = await callWith(misspelledNested, true);
    assert.equal(res.status, 500);
    assert.match(JSON.stringify(logged?.err), /output member StreamingStatuss is not in the model's CognitoStreams/);
  });

  it('an error its operation does not declare fails the request (500, logged) instead of being sent', async () => {
    const { res, logged } = await callWith(undeclaredError, true);
    assert.equal(res.status, 500);
    assert.equal(res.headers['x-amzn-errortype'], 'InternalErrorException:');
    assert.match(JSON.stringify(logged?.err), /GetIdentityPoolConfiguration threw DuplicateRequestException, which its model does not declare/);
  });

  it('declared errors, modelled members and common errors pass', async () => {
    const declared = await callWith(async () => {
      throw new ServiceError('ResourceNotFoundException', `IdentityPool '${POOL}' not found.`);
    }, true);
    assert.equal(declared.res.status, 404);
    assert.equal(declared.res.json().__type, 'ResourceNotFoundException');

    const common = await callWith(async () => {
      throw new ServiceError('NotImplementedException', 'GetIdentityPoolConfiguration is not implemented by this server yet.');
    }, true);
    assert.equal(common.res.status, 501);

    const modelled = await callWith(async () => ({ IdentityPoolId: POOL, CognitoStreams: { StreamName: 'events', StreamingStatus: 'ENABLED' } }), true);
    assert.equal(modelled.res.status, 200);
    assert.deepEqual(modelled.res.json(), { IdentityPoolId: POOL, CognitoStreams: { StreamName: 'events', StreamingStatus: 'ENABLED' } });
  });

  it('in production (the default) the member is dropped and the error is sent, as before', async () => {
    const dropped = await callWith(misspelledTopLevel, false);
    assert.equal(dropped.res.status, 200);
    assert.deepEqual(dropped.res.json(), { IdentityPoolId: POOL });

    const sent = await callWith(undeclaredError, false);
    assert.equal(sent.res.status, 400);
    assert.equal(sent.res.json().__type, 'DuplicateRequestException');
  });
});
