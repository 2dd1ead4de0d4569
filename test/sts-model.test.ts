// STS (2011-06-15) is the third model: its data and types are generated like the other two. The router routes it
// by Action and Version (the query protocol); what the server answers is test/sts-basic-flow.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Credentials as IdentityCredentials } from '../src/model/cognito-identity-types.ts';
import { stsModel } from '../src/model/sts.ts';
import type { AssumeRoleWithWebIdentityResponse, Credentials, StsHandlers, StsOperations } from '../src/model/sts-types.ts';
import { Router } from '../src/protocol/router.ts';

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

  it('the router routes its operations by Action and Version, as the query protocol names them', () => {
    const router = new Router([stsModel]);
    const params = new Map([['Action', ['AssumeRoleWithWebIdentity']], ['Version', ['2011-06-15']]]);
    const route = router.route({ method: 'POST', path: '/', params, form: true });
    assert.equal(route.operation.name, 'AssumeRoleWithWebIdentity');
    assert.equal(route.queryParams, params);
    assert.throws(() => router.route({ method: 'GET', path: '/', params: new Map([['Action', ['Nope']], ['Version', ['2011-06-15']]]), form: false }), /Could not find operation Nope for version 2011-06-15/);
  });
});
