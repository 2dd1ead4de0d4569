// The wire format for what SDKs never send wrong: hand-built signed requests against the real server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { SetIdentityPoolConfigurationCommand } from '@aws-sdk/client-cognito-sync';
import { type RawRequest, type RawResponse, send, sendSigned } from './helpers/raw-http.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const SYNC_TARGET = 'com.amazonaws.cognito.sync.model.AWSCognitoSyncService';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertAwsError(res: RawResponse, status: number, code: string, message?: RegExp) {
  assert.equal(res.status, status, `status for ${code}: ${res.text}`);
  assert.equal(res.headers['x-amzn-errortype'], `${code}:`);
  assert.match(String(res.headers['x-amzn-requestid']), UUID);
  const body = res.json();
  assert.equal(body.__type, code);
  assert.equal(typeof body.message, 'string');
  if (message) assert.match(body.message as string, message);
  assert.doesNotMatch(res.text, /\bat .*\.ts:\d+/, 'no stack trace in the body');
}

describe('wire protocol', { timeout: 120_000 }, () => {
  let server: TestServer;
  let poolId: string;
  const signedSync = (req: RawRequest) => sendSigned(server.url, req, { credentials: server.developer, service: 'cognito-sync' });
  const signedIdentity = (req: RawRequest) => sendSigned(server.url, req, { credentials: server.developer, service: 'cognito-identity' });

  before(async () => {
    server = await startServer({ args: ['--max-body-bytes', '4096'] });
    poolId = (await server.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'wire', AllowUnauthenticatedIdentities: false }))).IdentityPoolId!;
    await server.syncClient().send(new SetIdentityPoolConfigurationCommand({
      IdentityPoolId: poolId,
      PushSync: { ApplicationArns: ['arn:aws:sns:us-east-1:123456789012:app/APNS/app'], RoleArn: 'arn:aws:iam::123456789012:role/push' },
    }));
  });
  after(async () => {
    await server.dispose();
  });

  const restPath = (id: string) => `/identitypools/${encodeURIComponent(id)}/configuration`;

  it('answers REST and JSON 1.1 target forms with byte-identical bodies', async () => {
    const rest = await signedSync({ method: 'GET', path: restPath(poolId) });
    const target = await signedSync({
      method: 'POST', path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${SYNC_TARGET}.GetIdentityPoolConfiguration` },
      body: JSON.stringify({ IdentityPoolId: poolId }),
    });
    assert.equal(rest.status, 200);
    assert.equal(target.status, 200);
    assert.equal(rest.headers['content-type'], 'application/json');
    assert.match(String(rest.headers['x-amzn-requestid']), UUID);
    assert.equal(target.text, rest.text);
    assert.deepEqual(rest.json(), {
      IdentityPoolId: poolId,
      PushSync: { ApplicationArns: ['arn:aws:sns:us-east-1:123456789012:app/APNS/app'], RoleArn: 'arn:aws:iam::123456789012:role/push' },
    });

    const missing = 'us-east-1:00000000-0000-0000-0000-00000000abcd';
    const restError = await signedSync({ method: 'GET', path: restPath(missing) });
    const targetError = await signedSync({
      method: 'POST', path: '/', headers: { 'x-amz-target': `${SYNC_TARGET}.GetIdentityPoolConfiguration` },
      body: JSON.stringify({ IdentityPoolId: missing }),
    });
    assertAwsError(restError, 404, 'ResourceNotFoundException');
    assert.equal(targetError.text, restError.text);
    assert.equal(targetError.status, 404);
  });

  it('accepts the iOS SDK content type on rest-json calls', async () => {
    const res = await signedSync({ method: 'GET', path: restPath(poolId), headers: { 'content-type': 'application/x-amz-json-1.1' } });
    assert.equal(res.status, 200);
  });

  it('refuses invalid JSON with 400 SerializationException', async () => {
    const res = await signedSync({ method: 'POST', path: restPath(poolId), headers: { 'content-type': 'application/json' }, body: '{"PushSync": ' });
    assertAwsError(res, 400, 'SerializationException', /not valid JSON/);
  });

  it('refuses a JSON body that is not an object', async () => {
    const res = await signedSync({ method: 'POST', path: restPath(poolId), body: '[1,2]' });
    assertAwsError(res, 400, 'SerializationException', /JSON object/);
  });

  it('refuses wrong JSON types naming the member', async () => {
    const res = await signedSync({ method: 'POST', path: restPath(poolId), body: JSON.stringify({ PushSync: { ApplicationArns: 'arn:aws:sns:us-east-1:1:app/GCM/a' } }) });
    assertAwsError(res, 400, 'SerializationException', /an array for 'pushSync\.applicationArns' but found string/);
    const res2 = await signedSync({ method: 'POST', path: restPath(poolId), body: JSON.stringify({ CognitoStreams: { StreamName: 7 } }) });
    assertAwsError(res2, 400, 'SerializationException', /a string for 'cognitoStreams\.streamName' but found number/);
  });

  it('refuses a missing required member (target form) with InvalidParameterException', async () => {
    const res = await signedSync({ method: 'POST', path: '/', headers: { 'x-amz-target': `${SYNC_TARGET}.GetIdentityPoolConfiguration` }, body: '{}' });
    assertAwsError(res, 400, 'InvalidParameterException', /Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null/);
  });

  it('refuses unknown routes and targets', async () => {
    assertAwsError(await signedSync({ method: 'GET', path: '/no/such/route' }), 404, 'UnknownOperationException', /GET \/no\/such\/route/);
    assertAwsError(await signedSync({ method: 'PUT', path: restPath(poolId) }), 405, 'UnknownOperationException', /PUT/);
    assertAwsError(
      await signedSync({ method: 'POST', path: '/', headers: { 'x-amz-target': `${SYNC_TARGET}.DropEverything` }, body: '{}' }),
      400, 'UnknownOperationException', /DropEverything/,
    );
    assertAwsError(
      await signedIdentity({ method: 'POST', path: '/', headers: { 'x-amz-target': 'AWSCognitoIdentityService.Nope', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' }),
      400, 'UnknownOperationException', /Nope/,
    );
  });

  it('refuses bad percent-encoding in a URI label', async () => {
    const res = await signedSync({ method: 'GET', path: '/identitypools/us-east-1%ZZ/configuration' });
    assertAwsError(res, 400, 'InvalidParameterException', /percent-encoding/);
  });

  it('percent-decodes URI labels before validating them', async () => {
    const res = await signedSync({ method: 'GET', path: `/identitypools/${poolId.replace(':', '%3A')}/configuration` });
    assert.equal(res.status, 200);
    assert.equal(res.json().IdentityPoolId, poolId);
  });

  it('refuses a body over the configured limit with 413', async () => {
    const res = await signedSync({ method: 'POST', path: restPath(poolId), body: JSON.stringify({ PushSync: { RoleArn: 'x'.repeat(5000) } }) });
    assertAwsError(res, 413, 'RequestEntityTooLargeException', /4096-byte limit/);
  });

  it('answers oversized headers with an AWS-shaped 431', async () => {
    const res = await send(server.url, { method: 'GET', path: restPath(poolId), headers: { 'x-padding': 'p'.repeat(20_000) } });
    assertAwsError(res, 431, 'RequestHeaderFieldsTooLarge');
  });

  it('answers Cognito Identity errors as JSON 1.1 with __type and status 400', async () => {
    const res = await signedIdentity({
      method: 'POST', path: '/',
      headers: { 'x-amz-target': 'AWSCognitoIdentityService.DescribeIdentityPool', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ IdentityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000' }),
    });
    assertAwsError(res, 400, 'ResourceNotFoundException');
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
    const invalid = await signedIdentity({
      method: 'POST', path: '/',
      headers: { 'x-amz-target': 'AWSCognitoIdentityService.ListIdentityPools', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ MaxResults: 61 }),
    });
    assertAwsError(invalid, 400, 'InvalidParameterException', /maxResults.*less than or equal to 60/);
  });

  it('refuses a forged pagination token', async () => {
    const res = await signedIdentity({
      method: 'POST', path: '/',
      headers: { 'x-amz-target': 'AWSCognitoIdentityService.ListIdentityPools', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ MaxResults: 1, NextToken: 'eyJhZnRlciI6InVzLWVhc3QtMTp6enoifQ-forged-token-value-here' }),
    });
    assertAwsError(res, 400, 'InvalidParameterException', /NextToken/);
  });

  it('answers GET /health with the store status', async () => {
    const res = await send(server.url, { method: 'GET', path: '/health' });
    assert.equal(res.status, 200);
    assert.equal(res.json().status, 'ok');
  });
});

describe('browser clients (CORS)', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  it('answers preflights and lets pages read AWS headers', async () => {
    const preflight = await send(server.url, {
      method: 'OPTIONS', path: '/identitypools/us-east-1%3A0000/configuration',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,x-amz-date,x-amz-security-token' },
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.match(String(preflight.headers['access-control-allow-headers']), /x-amz-security-token/);
    assert.match(String(preflight.headers['access-control-allow-methods']), /DELETE/);
    const error = await send(server.url, { method: 'GET', path: '/identitypools/us-east-1%3A0000/configuration', headers: { origin: 'https://app.example' } });
    assert.equal(error.status, 403);
    assert.equal(error.headers['access-control-allow-origin'], '*');
    assert.match(String(error.headers['access-control-expose-headers']), /x-amzn-ErrorType/);
  });
});

describe('routing precedence', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  it('routes a REST path by its path even when an X-Amz-Target header rides along', async () => {
    const poolId = (await server.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'route', AllowUnauthenticatedIdentities: true }))).IdentityPoolId!;
    const res = await sendSigned(server.url, {
      method: 'GET', path: `/identitypools/${encodeURIComponent(poolId)}/configuration`,
      headers: { 'x-amz-target': 'AWSCognitoSyncService.GetIdentityPoolConfiguration', 'content-type': 'application/x-amz-json-1.1' },
    }, { credentials: server.developer, service: 'cognito-sync' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { IdentityPoolId: poolId });
  });

  it('accepts the bare AWSCognitoSyncService target prefix Android uses', async () => {
    const poolId = (await server.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'bare', AllowUnauthenticatedIdentities: true }))).IdentityPoolId!;
    const res = await sendSigned(server.url, {
      method: 'POST', path: '/',
      headers: { 'x-amz-target': 'AWSCognitoSyncService.GetIdentityPoolConfiguration', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ IdentityPoolId: poolId }),
    }, { credentials: server.developer, service: 'cognito-sync' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { IdentityPoolId: poolId });
  });
});
