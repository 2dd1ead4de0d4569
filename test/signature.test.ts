// SigV4 verification: every way a signature can be missing, malformed or wrong gets the AWS common error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { GetIdentityPoolConfigurationCommand } from '@aws-sdk/client-cognito-sync';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { type RawRequest, type RawResponse, send, sign } from './helpers/raw-http.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';

function assertError(res: RawResponse, status: number, code: string, message?: RegExp) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['x-amzn-errortype'], `${code}:`);
  assert.equal(res.json().__type, code);
  if (message) assert.match(res.json().message as string, message);
}

describe('SigV4 verification', { timeout: 120_000 }, () => {
  let server: TestServer;
  let poolId: string;
  let path: string;
  before(async () => {
    server = await startServer();
    poolId = (await server.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'sig', AllowUnauthenticatedIdentities: true }))).IdentityPoolId!;
    path = `/identitypools/${encodeURIComponent(poolId)}/configuration`;
  });
  after(async () => {
    await server.dispose();
  });

  const signed = (req: RawRequest, overrides: Partial<Parameters<typeof sign>[2]> = {}) =>
    sign(server.url, req, { credentials: server.developer, service: 'cognito-sync', ...overrides });

  it('accepts a correctly signed request', async () => {
    const res = await send(server.url, await signed({ method: 'GET', path }));
    assert.equal(res.status, 200, res.text);
  });

  it('refuses an unsigned request to a signed operation: 403 MissingAuthenticationTokenException', async () => {
    assertError(await send(server.url, { method: 'GET', path }), 403, 'MissingAuthenticationTokenException');
  });

  it('refuses an Authorization header without a Signature: 400 IncompleteSignatureException', async () => {
    const req = await signed({ method: 'GET', path });
    req.headers!.authorization = req.headers!.authorization!.replace(/, Signature=[0-9a-f]+/, '');
    assertError(await send(server.url, req), 400, 'IncompleteSignatureException', /Signature/);
  });

  it('refuses an unsupported algorithm: 400 IncompleteSignatureException', async () => {
    const req = await signed({ method: 'GET', path });
    req.headers!.authorization = req.headers!.authorization!.replace('AWS4-HMAC-SHA256', 'AWS3');
    assertError(await send(server.url, req), 400, 'IncompleteSignatureException', /AWS3/);
  });

  it('refuses a request without X-Amz-Date: 400 IncompleteSignatureException', async () => {
    const req = await signed({ method: 'GET', path });
    delete req.headers!['x-amz-date'];
    assertError(await send(server.url, req), 400, 'IncompleteSignatureException', /X-Amz-Date/);
  });

  it('refuses an unknown access key: 403 UnrecognizedClientException', async () => {
    const req = await signed({ method: 'GET', path }, { credentials: { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x'.repeat(40) } });
    assertError(await send(server.url, req), 403, 'UnrecognizedClientException', /security token included in the request is invalid/);
  });

  it('refuses a wrong secret: 403 InvalidSignatureException', async () => {
    const req = await signed({ method: 'GET', path }, { credentials: { ...server.developer, secretAccessKey: 'wrong-secret-wrong-secret' } });
    assertError(await send(server.url, req), 403, 'InvalidSignatureException', /signature we calculated does not match/);
  });

  it('refuses a signature scoped to another service: 403 InvalidSignatureException', async () => {
    const req = await signed({ method: 'GET', path }, { service: 'cognito-identity' });
    assertError(await send(server.url, req), 403, 'InvalidSignatureException', /scoped to correct service: 'cognito-sync'/);
  });

  it('refuses a signature scoped to another region: 403 InvalidSignatureException', async () => {
    const req = await signed({ method: 'GET', path }, { region: 'eu-west-1' });
    assertError(await send(server.url, req), 403, 'InvalidSignatureException', /region/);
  });

  it('refuses a request dated more than 15 minutes off: 403 InvalidSignatureException "Signature expired"', async () => {
    const old = await signed({ method: 'GET', path }, { signingDate: new Date(Date.now() - 20 * 60 * 1000) });
    assertError(await send(server.url, old), 403, 'InvalidSignatureException', /Signature expired/);
    const future = await signed({ method: 'GET', path }, { signingDate: new Date(Date.now() + 20 * 60 * 1000) });
    assertError(await send(server.url, future), 403, 'InvalidSignatureException', /not yet current/);
  });

  it('refuses a tampered body: 403 InvalidSignatureException', async () => {
    const body = JSON.stringify({ PushSync: { RoleArn: 'arn:aws:iam::123456789012:role/aaaa' } });
    const req = await signed({ method: 'POST', path, body });
    const tampered = { ...req, body: body.replace('aaaa', 'bbbb') };
    assertError(await send(server.url, tampered), 403, 'InvalidSignatureException');
    const get = await send(server.url, await signed({ method: 'GET', path }));
    assert.equal(get.json().PushSync, undefined, 'the tampered body was not applied');
  });

  it('refuses an x-amz-content-sha256 that does not match the body', async () => {
    const body = JSON.stringify({ PushSync: { RoleArn: 'arn:aws:iam::123456789012:role/cccc' } });
    const req = await signed({ method: 'POST', path, body, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assertError(await send(server.url, req), 403, 'InvalidSignatureException', /x-amz-content-sha256/);
  });

  it('accepts a presigned URL and refuses it once expired', async () => {
    const url = new URL(server.url);
    const signer = new SignatureV4({ service: 'cognito-sync', region: 'us-east-1', credentials: server.developer, sha256: Hash.bind(null, 'sha256') });
    const presign = (signingDate: Date) => signer.presign(
      new HttpRequest({ method: 'GET', hostname: url.hostname, port: Number(url.port), path, headers: { host: url.host } }),
      { expiresIn: 60, signingDate },
    );
    const toRaw = (req: { query?: unknown }): RawRequest => ({ method: 'GET', path, query: req.query as Record<string, string>, headers: { host: url.host } });
    const fresh = await send(server.url, toRaw(await presign(new Date())));
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.json().IdentityPoolId, poolId);
    const stale = await send(server.url, toRaw(await presign(new Date(Date.now() - 5 * 60 * 1000))));
    assertError(stale, 403, 'InvalidSignatureException', /expired/);
  });

  it('lets the SDK see the same errors through its own error types', async () => {
    const error = await errorOf(server.syncClient({ accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x'.repeat(40) })
      .send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId })));
    assert.equal(error.name, 'UnrecognizedClientException');
    assert.equal(error.$metadata.httpStatusCode, 403);
  });

  it('serves Cognito Identity operations that AWS serves unsigned without a signature', async () => {
    const res = await send(server.url, {
      method: 'POST', path: '/',
      headers: { 'x-amz-target': 'AWSCognitoIdentityService.GetId', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ IdentityPoolId: poolId }),
    });
    assert.notEqual(res.json().__type, 'MissingAuthenticationTokenException', res.text);
    const signedOnly = await send(server.url, {
      method: 'POST', path: '/',
      headers: { 'x-amz-target': 'AWSCognitoIdentityService.DescribeIdentityPool', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ IdentityPoolId: poolId }),
    });
    assertError(signedOnly, 403, 'MissingAuthenticationTokenException');
  });

  it('refuses a signature of the right length holding a non-ASCII byte: 403 InvalidSignatureException, not a 500', async () => {
    const req = await signed({ method: 'GET', path });
    // 64 characters, but 'é' is two bytes in UTF-8: a byte-length mismatch the comparison must survive.
    req.headers!.authorization = req.headers!.authorization!.replace(/Signature=([0-9a-f]{63})[0-9a-f]/, 'Signature=$1é');
    assertError(await send(server.url, req), 403, 'InvalidSignatureException', /signature we calculated does not match/);
    const short = await signed({ method: 'GET', path });
    short.headers!.authorization = short.headers!.authorization!.replace(/Signature=[0-9a-f]{64}/, 'Signature=zz');
    assertError(await send(server.url, short), 403, 'InvalidSignatureException', /signature we calculated does not match/);
  });

  it('canonicalizes a repeated signed header as SigV4 requires: its values joined with "," (no space)', async () => {
    // Signed as one header whose values are 'one' and 'two' (canonical form `x-repeated:one,two`), sent as two
    // header lines: Node's own join would give 'one, two' and a signature mismatch.
    const req = await signed({ method: 'GET', path, headers: { 'x-repeated': 'one,two' } });
    const res = await send(server.url, { ...req, headers: { ...req.headers!, 'x-repeated': ['one', 'two'] } });
    assert.equal(res.status, 200, res.text);
    // Sent as one line 'one, two', it is a different value than was signed.
    const spaced = await send(server.url, { ...req, headers: { ...req.headers!, 'x-repeated': 'one, two' } });
    assertError(spaced, 403, 'InvalidSignatureException');
  });

  it('refuses a body on a presigned request signed with UNSIGNED-PAYLOAD: 403 InvalidSignatureException naming it', async () => {
    const url = new URL(server.url);
    const signer = new SignatureV4({ service: 'cognito-sync', region: 'us-east-1', credentials: server.developer, sha256: Hash.bind(null, 'sha256') });
    const presigned = await signer.presign(
      new HttpRequest({
        method: 'POST', hostname: url.hostname, port: Number(url.port), path,
        headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      }),
      { expiresIn: 600, unsignableHeaders: new Set(['x-amz-content-sha256']) },
    );
    const query = presigned.query as Record<string, string>;
    const body = JSON.stringify({ PushSync: { RoleArn: 'arn:aws:iam::123456789012:role/unsigned-body' } });
    const res = await send(server.url, { method: 'POST', path, query, headers: { host: url.host, 'content-type': 'application/json' }, body });
    assertError(res, 403, 'InvalidSignatureException', /UNSIGNED-PAYLOAD.*body/);
    const config = await send(server.url, await signed({ method: 'GET', path }));
    assert.equal(config.json().PushSync, undefined, 'the unsigned body was not applied');
    // Without a body the same URL is good: the signature covers everything that was sent.
    const empty = await send(server.url, { method: 'POST', path, query, headers: { host: url.host } });
    assert.notEqual(empty.json().__type, 'InvalidSignatureException', empty.text);
  });
});
