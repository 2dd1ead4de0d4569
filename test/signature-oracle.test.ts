// SigV4 checked against oracles independent of the @smithy library the server wraps:
//
// 1. AWS's own Signature Version 4 test suite (awslabs/aws-c-auth, test/fixtures/aws-sigv4-test-suite.json):
//    each signed request, header- and query-signed, goes byte for byte over a socket to a listener that hands it
//    to the server's verifier exactly as the request pipeline does (raw path, parsed query, every header value as
//    received, the body). The real server cannot be used for these: they are dated 2015-08-30 and signed for a
//    service named `service`, so only the verifier's clock and scope can be set to theirs. Every one must be
//    accepted, and refused once one byte of its signature is changed.
// 2. botocore (the AWS SDK for Python's core, on this machine): its clients call the real server end to end, and
//    requests it signed — one with a repeated header — are sent to the real server; one byte changed after
//    signing is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type SignedRequest, verifySignature } from '../src/auth/sigv4-verify.ts';
import { readBody } from '../src/http/read-body.ts';
import { ServiceError } from '../src/protocol/errors.ts';
import { parseQueryString } from '../src/protocol/query-string.ts';
import { createPool } from './helpers/identity-flows.ts';
import { inCi } from './helpers/postgres.ts';
import { REGION, startServer, type TestServer } from './helpers/server.ts';

interface Vector {
  name: string;
  context: { credentials: { access_key_id: string; secret_access_key: string; token?: string }; region: string; service: string; timestamp: string };
  headerSignedRequest: string;
  querySignedRequest: string;
}
const suite = JSON.parse(readFileSync(new URL('./fixtures/aws-sigv4-test-suite.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

/** Sends `head` (LF or CRLF line ends) and `body` as they are over one connection; answers the status and body. */
function sendRaw(port: number, head: string, body: Buffer | string = ''): Promise<{ status: number; body: string }> {
  const lines = head.replace(/\r?\n/g, '\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    // Not end(): a half-closed connection may be dropped before a slow answer is written. `Connection: close` has
    // the server close it once it has answered.
    socket.write(Buffer.concat([Buffer.from(`${lines}Connection: close\r\n\r\n`, 'utf8'), Buffer.from(body)]));
  });
}

/** A suite request split into the head (request line and headers, with the final line break) and the body. */
function splitRequest(request: string): { head: string; body: string } {
  const end = request.indexOf('\n\n');
  return end === -1 ? { head: `${request.replace(/\n?$/, '\n')}`, body: '' } : { head: request.slice(0, end + 1), body: request.slice(end + 2) };
}

/** The same request with the last hex digit of its signature changed. */
function withSignatureChanged(request: string): string {
  return request.replace(/(Signature=[0-9a-f]{63})([0-9a-f])/, (_, kept: string, last: string) => kept + (last === '0' ? '1' : '0'));
}

/** Vectors that are not valid HTTP/1.1 on the wire (RFC 9112 forbids a raw space or non-ASCII byte in the
 *  request target, and obs-fold continuation lines): Node's parser refuses them with 400 before any code of ours
 *  runs, which is checked, and they are handed to the verifier directly, read as an HTTP parser would. */
const NOT_SENDABLE: Record<string, string> = {
  'get-space-normalized': 'a raw space in the request target',
  'get-utf8': 'raw UTF-8 in the request target',
  'get-vanilla-utf8-query': 'raw UTF-8 in the request target',
  'get-header-value-multiline': 'obs-fold continuation lines',
};
/** The one vector whose request carries a query parameter added after signing (the session token): every query
 *  parameter is part of the canonical request, so this server refuses it, as it must refuse any parameter the
 *  signature does not cover. Its header-signed form (the token in an unsigned header) is accepted. */
const REFUSED = { name: 'post-sts-header-after', form: 'query' };

/** A suite request read as an HTTP parser reads it (for the vectors that cannot be sent): request line, headers
 *  (names lower-cased, repeated names kept in order, a continuation line joined to the previous value by a space),
 *  body. */
function parseSuiteRequest(text: string): SignedRequest {
  const { head, body } = splitRequest(text);
  const [requestLine, ...headerLines] = head.replace(/\n$/, '').split('\n');
  const method = requestLine!.slice(0, requestLine!.indexOf(' '));
  const target = requestLine!.slice(method.length + 1, requestLine!.lastIndexOf(' HTTP/1.1'));
  const queryStart = target.indexOf('?');
  const headers: NodeJS.Dict<string[]> = {};
  let last: string[] | undefined;
  for (const line of headerLines) {
    if (/^[ \t]/.test(line)) {
      last![last!.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    last = headers[name] ??= [];
    last.push(line.slice(colon + 1).trim());
  }
  return {
    method,
    rawPath: queryStart === -1 ? target : target.slice(0, queryStart),
    query: parseQueryString(queryStart === -1 ? '' : target.slice(queryStart + 1)),
    headers,
    body: Buffer.from(body, 'utf8'),
  };
}

/** The server's verifier under the vector's clock, region, service and key; answers 'accepted' or the error code. */
async function verifyAsVector(vector: Vector, request: SignedRequest): Promise<string> {
  const { context } = vector;
  try {
    await verifySignature(request, { service: context.service, region: context.region, now: new Date(context.timestamp) }, {
      resolve: async (accessKeyId) => {
        if (accessKeyId !== context.credentials.access_key_id) throw new ServiceError('UnrecognizedClientException', 'unknown key');
        return { secretAccessKey: context.credentials.secret_access_key, principal: { kind: 'developer', accountId: '123456789012', accessKeyId } };
      },
    });
    return 'accepted';
  } catch (error) {
    return error instanceof ServiceError ? error.code : `unexpected: ${(error as Error).message}`;
  }
}

describe('SigV4 against AWS\'s published test suite', { timeout: 60_000 }, () => {
  let listener: Server;
  let port: number;
  let current: Vector;
  before(async () => {
    // The verifier fed the way src/pipeline.ts feeds it: raw path, parsed query, every header value as received.
    listener = createServer((req, res) => {
      void (async () => {
        const url = req.url ?? '/';
        const queryStart = url.indexOf('?');
        const body = await readBody(req, 1024 * 1024);
        res.end(
          await verifyAsVector(current, {
            method: req.method ?? 'GET',
            rawPath: queryStart === -1 ? url : url.slice(0, queryStart),
            query: parseQueryString(queryStart === -1 ? '' : url.slice(queryStart + 1)),
            headers: req.headersDistinct,
            body,
          }),
        );
      })();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  it(`holds the ${suite.vectors.length} vectors with AWS's path normalization`, () => {
    // "normalize": true is the rule of every service but S3; the S3-only vectors differ from these only there.
    assert.equal(suite.vectors.length, 31);
    for (const name of [...Object.keys(NOT_SENDABLE), REFUSED.name]) assert.ok(suite.vectors.some((v) => v.name === name), name);
  });

  for (const vector of suite.vectors) {
    for (const form of ['header', 'query'] as const) {
      const signed = form === 'header' ? vector.headerSignedRequest : vector.querySignedRequest;
      const changed = withSignatureChanged(signed);
      if (vector.name === REFUSED.name && form === REFUSED.form) {
        it(`${vector.name} (${form}-signed): refused, its session token being a query parameter the signature does not cover`, async () => {
          current = vector;
          const { head, body } = splitRequest(signed);
          assert.deepEqual(await sendRaw(port, head, body), { status: 200, body: 'InvalidSignatureException' });
        });
        continue;
      }
      const reason = NOT_SENDABLE[vector.name];
      it(`${vector.name} (${form}-signed): accepted, and refused with one byte of its signature changed${reason ? ` (${reason}: given to the verifier directly)` : ''}`, async () => {
        current = vector;
        assert.notEqual(changed, signed, 'the signature was changed');
        if (reason) {
          const { head, body } = splitRequest(signed);
          assert.equal((await sendRaw(port, head, body)).status, 400, 'Node refuses it on the wire');
          assert.equal(await verifyAsVector(vector, parseSuiteRequest(signed)), 'accepted');
          assert.equal(await verifyAsVector(vector, parseSuiteRequest(changed)), 'InvalidSignatureException');
          return;
        }
        const { head, body } = splitRequest(signed);
        assert.deepEqual(await sendRaw(port, head, body), { status: 200, body: 'accepted' }, signed);
        const tampered = splitRequest(changed);
        assert.deepEqual(await sendRaw(port, tampered.head, tampered.body), { status: 200, body: 'InvalidSignatureException' });
      });
    }
  }
});

/** Why botocore cannot be used here, or undefined when it can. Under CI=true it must be there. */
function botocoreMissing(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import botocore; print(botocore.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 ? undefined : `python3 with botocore is not available: ${(probe.stderr || probe.error?.message || '').trim()}`;
}
const missing = botocoreMissing();
if (missing && inCi()) throw new Error(`${missing} (CI=true requires it: it is the independent SigV4 oracle)`);

const ORACLE = new URL('./helpers/botocore_oracle.py', import.meta.url).pathname;
function botocore<T>(command: Record<string, unknown>): T {
  const run = spawnSync('python3', [ORACLE], { input: JSON.stringify(command), encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `botocore_oracle.py failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

describe('SigV4 against botocore', { skip: missing ?? false, timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.dispose());

  it('botocore\'s own clients are served, and refused once one byte is changed after signing', async () => {
    const results = botocore<Record<string, string>>({
      mode: 'clients',
      url: server.url,
      region: REGION,
      accessKeyId: server.developer.accessKeyId,
      secretAccessKey: server.developer.secretAccessKey,
    });
    assert.deepEqual(results, {
      'cognito-identity JSON 1.1: ListIdentityPools': 'accepted',
      'cognito-sync rest-json GET, encoded path: GetIdentityPoolConfiguration': 'accepted',
      'cognito-sync rest-json GET with a query string: ListIdentityPoolUsage': 'accepted',
      'cognito-sync rest-json POST with a body: SetIdentityPoolConfiguration': 'accepted',
      'temporary credentials, GET with query: ListRecords': 'accepted',
      'temporary credentials, POST with a body: UpdateRecords': 'accepted',
      'presigned URL: GetIdentityPoolConfiguration': 'accepted',
      'presigned URL, one byte of its signature changed': 'InvalidSignatureException',
      'one byte of the signature changed': 'InvalidSignatureException',
      'one byte of the body changed': 'InvalidSignatureException',
      'one byte of a signed header changed': 'InvalidSignatureException',
    });
  });

  it('requests botocore signed with a repeated header and spaced values are accepted as sent; one byte changed, refused', async () => {
    const poolId = await createPool(server);
    const path = `/identitypools/${encodeURIComponent(poolId)}/configuration`;
    const listPools = { 'x-amz-target': 'AWSCognitoIdentityService.ListIdentityPools', 'content-type': 'application/x-amz-json-1.1' };
    const signed = botocore<Array<{ method: string; url: string; headers: Array<[string, string]>; body: string }>>({
      mode: 'sign',
      region: REGION,
      accessKeyId: server.developer.accessKeyId,
      secretAccessKey: server.developer.secretAccessKey,
      service: 'cognito-sync',
      requests: [{ method: 'GET', url: `${server.url}${path}`, headers: [['X-Oracle', 'one'], ['X-Oracle', 'two'], ['X-Spaced', '  a   b  c ']] }],
    });
    const [signedIdentity] = botocore<typeof signed>({
      mode: 'sign',
      region: REGION,
      accessKeyId: server.developer.accessKeyId,
      secretAccessKey: server.developer.secretAccessKey,
      service: 'cognito-identity',
      requests: [{ method: 'POST', url: `${server.url}/`, headers: Object.entries(listPools), body: '{"MaxResults":5}' }],
    });
    const port = Number(new URL(server.url).port);
    const send = (request: (typeof signed)[number], body = request.body) => {
      const url = new URL(request.url);
      const head = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, ...request.headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${Buffer.byteLength(body)}`, ''].join('\r\n');
      return sendRaw(port, head, body);
    };

    const repeated = signed[0]!;
    assert.equal(repeated.headers.filter(([name]) => name === 'X-Oracle').length, 2, 'sent as two header lines');
    const served = await send(repeated);
    assert.equal(served.status, 200, served.body);
    assert.equal(JSON.parse(served.body).IdentityPoolId, poolId);
    const oneValueChanged = { ...repeated, headers: repeated.headers.map(([n, v]): [string, string] => [n, n === 'X-Oracle' && v === 'two' ? 'twO' : v]) };
    assert.equal(JSON.parse((await send(oneValueChanged)).body).__type, 'InvalidSignatureException');

    const listed = await send(signedIdentity!);
    assert.equal(listed.status, 200, listed.body);
    const bodyChanged = await send(signedIdentity!, '{"MaxResults":6}');
    assert.equal(bodyChanged.status, 403);
    assert.equal(JSON.parse(bodyChanged.body).__type, 'InvalidSignatureException');
  });
});
