// STS (2011-06-15) is the third model: its data and types are generated like the other two, for the issue that
// will serve AssumeRoleWithWebIdentity. Until then it is not routed: the server answers an STS request exactly
// as any request for an operation it does not know.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Credentials as IdentityCredentials } from '../src/model/cognito-identity-types.ts';
import { stsModel } from '../src/model/sts.ts';
import type { AssumeRoleWithWebIdentityResponse, Credentials, StsHandlers, StsOperations } from '../src/model/sts-types.ts';
import { Router } from '../src/protocol/router.ts';
import { send, sendSigned } from './helpers/raw-http.ts';
import { startServer, type TestServer } from './helpers/server.ts';

// Type-level checks, enforced by `tsc --noEmit` in `npm test`: each @ts-expect-error must meet an error.
const credentials: Credentials = { AccessKeyId: 'ASIAEXAMPLE000000000', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(0) };
// @ts-expect-error STS names it SecretAccessKey; SecretKey is Cognito Identity's name for the same thing.
const misspelled: Credentials = { AccessKeyId: 'ASIAEXAMPLE000000000', SecretKey: 'secret', SessionToken: 'token', Expiration: new Date(0) };
// @ts-expect-error STS's Credentials requires every member (Cognito Identity's makes them optional).
const incomplete: Credentials = { AccessKeyId: 'ASIAEXAMPLE000000000' };
const fromIdentity: IdentityCredentials = { AccessKeyId: 'ASIAEXAMPLE000000000' };
const answer: AssumeRoleWithWebIdentityResponse = { Credentials: credentials, SubjectFromWebIdentityToken: 'sub', Audience: 'client' };
const webIdentityErrors: Array<StsOperations['AssumeRoleWithWebIdentity']['errors']> = ['IDPRejectedClaim', 'InvalidIdentityToken', 'ExpiredTokenException'];
// @ts-expect-error the wire code is IDPRejectedClaim, not the shape's name
const shapeName: StsOperations['AssumeRoleWithWebIdentity']['errors'] = 'IDPRejectedClaimException';
type WebIdentityHandler = StsHandlers<{ requestId: string }>['AssumeRoleWithWebIdentity'];
const handler: WebIdentityHandler = async (input) => ({ Credentials: credentials, SubjectFromWebIdentityToken: input.WebIdentityToken.slice(0, 8) });

describe('STS model', { timeout: 60_000 }, () => {
  it('is the whole 2011-06-15 query model, with what the query protocol needs', () => {
    assert.equal(stsModel.signingName, 'sts');
    assert.equal(stsModel.protocol, 'query');
    assert.equal(stsModel.apiVersion, '2011-06-15');
    assert.equal(stsModel.xmlNamespace, 'https://sts.amazonaws.com/doc/2011-06-15/');
    assert.equal(stsModel.targetPrefix, undefined);
    const operations = Object.keys(stsModel.operations);
    for (const name of ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetCallerIdentity', 'GetSessionToken', 'GetFederationToken']) {
      assert.ok(operations.includes(name), name);
    }
    for (const operation of Object.values(stsModel.operations)) assert.equal(operation.resultWrapper, `${operation.name}Result`);
    const unsigned = Object.values(stsModel.operations).filter((o) => o.unsigned).map((o) => o.name).sort();
    assert.deepEqual(unsigned, ['AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);
    const rejected = stsModel.shapes.IDPRejectedClaimException;
    assert.ok(rejected?.type === 'structure');
    assert.deepEqual(rejected.error, { code: 'IDPRejectedClaim', httpStatusCode: 403, fault: 'client' });
  });

  it('its types are usable as providers will use them', async () => {
    assert.deepEqual(await handler({ RoleArn: 'arn:aws:iam::123456789012:role/demo', RoleSessionName: 'app1', WebIdentityToken: 'eyJhbGciOi...' }, { requestId: 'r' }), {
      Credentials: credentials,
      SubjectFromWebIdentityToken: 'eyJhbGci',
    });
    assert.equal(answer.Credentials?.SecretAccessKey, 'secret');
    assert.equal(webIdentityErrors.length, 3);
    assert.ok(misspelled && incomplete && fromIdentity && shapeName);
  });

  it('the router refuses to route it until the query protocol is served', () => {
    assert.throws(() => new Router([stsModel]), /the router does not route the query protocol \(sts\)/);
  });
});

describe('STS requests to the server', { timeout: 60_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.dispose();
  });

  const form = (action: string) => ({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: `Action=${action}&Version=2011-06-15`,
  });

  it('are answered like any unknown operation: 404 UnknownOperationException, signed or not', async () => {
    const signed = await sendSigned(server.url, form('GetCallerIdentity'), { credentials: server.developer, service: 'sts' });
    const unsigned = await send(server.url, form('AssumeRoleWithWebIdentity'));
    for (const res of [signed, unsigned]) {
      assert.equal(res.status, 404);
      assert.equal(res.headers['x-amzn-errortype'], 'UnknownOperationException:');
      assert.deepEqual(res.json(), { __type: 'UnknownOperationException', message: 'No operation matches POST /' });
    }
  });
});
