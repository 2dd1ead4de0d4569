// Verifies AWS Signature Version 4 on an incoming request, in the Authorization header or in a presigned
// query string. The signing math (canonical request: path normalization and escaping, query and header
// canonicalization; key derivation) is @smithy/signature-v4's; what is ours is reading the request back
// into the exact form the client signed, and the two plain hashing steps that follow.
import { createHash, createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HeaderBag } from '@smithy/types';
import { ServiceError } from '../protocol/errors.ts';
import type { CredentialResolver, SigningIdentity } from './principal.ts';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const sha256 = Hash.bind(null, 'sha256');

/** Exposes the library's protected canonical-request step so we can feed it the client's own header list. */
class SignatureCalculator extends SignatureV4 {
  constructor(service: string, region: string) {
    // Credentials are supplied per request; the constructor's are never used.
    super({ service, region, sha256, credentials: { accessKeyId: '', secretAccessKey: '' }, uriEscapePath: true });
  }

  async calculate(request: HttpRequest, canonicalHeaders: HeaderBag, payloadHash: string, longDate: string, scope: string,
    credentials: AwsCredentialIdentity, region: string, service: string): Promise<string> {
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    // The string to sign is the fixed four-line form; hashing here rather than through the library's
    // Hash wrapper (UTF-8 copy, Uint8Array digest, hex in JS) halves the cost of this step.
    const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const key = await signingKeyFor(credentials, longDate.slice(0, 8), region, service);
    return createHmac('sha256', key).update(stringToSign).digest('hex');
  }
}

// Derived signing keys, kept as KeyObjects. The library has its own cache, but it holds only 50 keys
// (one identity each) and computes an HMAC just to look one up; and createHmac given a byte key probes
// it with two thrown-and-caught exceptions (isKeyObject, isCryptoKey) — together the largest cost on a
// signed request's path in the CPU profile. A KeyObject skips both.
const MAX_SIGNING_KEYS = 10_000;
const signingKeys = new Map<string, { secretAccessKey: string; key: KeyObject }>();

async function signingKeyFor(credentials: AwsCredentialIdentity, shortDate: string, region: string, service: string): Promise<KeyObject> {
  const cacheKey = `${shortDate}/${region}/${service}/${credentials.accessKeyId}`;
  const cached = signingKeys.get(cacheKey);
  // The secret is compared too: a developer key's secret can be replaced under the same key id.
  if (cached && cached.secretAccessKey === credentials.secretAccessKey) return cached.key;
  const key = createSecretKey(await getSigningKey(sha256, credentials, shortDate, region, service));
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(cacheKey, { secretAccessKey: credentials.secretAccessKey, key });
  return key;
}

export interface SignedRequest {
  method: string;
  /** Path exactly as received (still percent-encoded). */
  rawPath: string;
  query: Map<string, string[]>;
  /** Every value of every header, as received (`IncomingMessage.headersDistinct`): SigV4 joins a repeated
   *  header's values with ",", where Node's `headers` joins them with ", " or keeps only the first. */
  headers: NodeJS.Dict<string[]>;
  body: Buffer;
}

export interface SignatureContext {
  /** The signing name the resolved operation's service expects (`cognito-sync`, `cognito-identity`). */
  service: string;
  region: string;
  now: Date;
}

interface ParsedSignature {
  accessKeyId: string;
  scopeDate: string;
  scopeRegion: string;
  scopeService: string;
  scopeTerminator: string;
  signedHeaders: string[];
  signature: string;
  longDate: string;
  sessionToken: string | undefined;
  presignExpiresSeconds: number | undefined;
}

const incomplete = (message: string) => new ServiceError('IncompleteSignatureException', message);
const invalidSignature = (message: string) => new ServiceError('InvalidSignatureException', message);

export function hasSignature(headers: IncomingHttpHeaders, query: Map<string, string[]>): boolean {
  return headers.authorization !== undefined || query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature');
}

/** A header's values joined as SigV4's canonical form joins them. */
function headerValue(headers: NodeJS.Dict<string[]>, name: string): string | undefined {
  return headers[name]?.join(',');
}

/** SigV4's canonical header value: each value trimmed, inner runs of whitespace as one space, joined with ",". */
function canonicalHeaderValue(values: string[]): string {
  return values.map((value) => value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim()).join(',');
}

function parseCredential(credential: string) {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator] = parts as [string, string, string, string, string];
  return { accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator };
}

/** Parses `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
function parseAuthorizationHeader(authorization: string, headers: NodeJS.Dict<string[]>): ParsedSignature {
  const space = authorization.indexOf(' ');
  const algorithm = space === -1 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Unsupported Authorization algorithm '${algorithm}': only ${ALGORITHM} is accepted`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields.get(required)) {
      throw incomplete(`Authorization header requires '${required}' parameter. Authorization=${authorization.slice(0, 200)}`);
    }
  }
  const longDate = headerValue(headers, 'x-amz-date') ?? dateHeaderAsLongDate(headerValue(headers, 'date'));
  if (!longDate) {
    throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  return {
    ...parseCredential(fields.get('Credential')!),
    signedHeaders: fields.get('SignedHeaders')!.split(';'),
    signature: fields.get('Signature')!,
    longDate,
    sessionToken: headerValue(headers, 'x-amz-security-token'),
    presignExpiresSeconds: undefined,
  };
}

function dateHeaderAsLongDate(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const parsed = new Date(date);
  if (Number.isNaN(parsed.getTime())) return undefined;
  return parsed.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parsePresignedQuery(query: Map<string, string[]>): ParsedSignature {
  const one = (name: string) => query.get(name)?.[0];
  if (one('X-Amz-Algorithm') !== ALGORITHM) {
    throw incomplete(`X-Amz-Algorithm must be ${ALGORITHM}`);
  }
  for (const required of ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Expires']) {
    if (!one(required)) throw incomplete(`Presigned request requires the '${required}' query parameter.`);
  }
  const expires = Number(one('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
    throw incomplete(`X-Amz-Expires must be an integer from 1 to ${MAX_PRESIGN_SECONDS}`);
  }
  return {
    ...parseCredential(one('X-Amz-Credential')!),
    signedHeaders: one('X-Amz-SignedHeaders')!.split(';'),
    signature: one('X-Amz-Signature')!,
    longDate: one('X-Amz-Date')!,
    sessionToken: one('X-Amz-Security-Token'),
    presignExpiresSeconds: expires,
  };
}

function parseLongDate(longDate: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
  if (!m) throw incomplete(`Date must be in ISO-8601 basic format (yyyyMMdd'T'HHmmss'Z'), got '${longDate}'`);
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  if (Number.isNaN(date.getTime())) throw incomplete(`Invalid date '${longDate}'`);
  return date;
}

function checkScope(sig: ParsedSignature, ctx: SignatureContext) {
  if (sig.scopeTerminator !== 'aws4_request') {
    throw invalidSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${sig.scopeTerminator}'.`);
  }
  if (sig.scopeService !== ctx.service) {
    throw invalidSignature(`Credential should be scoped to correct service: '${ctx.service}'.`);
  }
  if (sig.scopeRegion !== ctx.region) {
    throw invalidSignature(`Credential should be scoped to a valid region, not '${sig.scopeRegion}'. This server serves '${ctx.region}'.`);
  }
  if (sig.scopeDate !== sig.longDate.slice(0, 8)) {
    throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${sig.scopeDate}' != '${sig.longDate.slice(0, 8)}'`);
  }
  if (!sig.signedHeaders.includes('host')) {
    throw invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
}

function checkTime(sig: ParsedSignature, ctx: SignatureContext) {
  const signedAt = parseLongDate(sig.longDate).getTime();
  const now = ctx.now.getTime();
  const formatted = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  if (sig.presignExpiresSeconds !== undefined) {
    if (signedAt - MAX_SKEW_MS > now) throw invalidSignature(`Signature not yet current: ${sig.longDate} is still later than ${formatted(now + MAX_SKEW_MS)}`);
    if (now > signedAt + sig.presignExpiresSeconds * 1000) {
      throw invalidSignature(`Signature expired: ${sig.longDate} is now earlier than ${formatted(now - sig.presignExpiresSeconds * 1000)}`);
    }
    return;
  }
  if (signedAt < now - MAX_SKEW_MS) {
    throw invalidSignature(`Signature expired: ${sig.longDate} is now earlier than ${formatted(now - MAX_SKEW_MS)} (${formatted(now)} - 15 min.)`);
  }
  if (signedAt > now + MAX_SKEW_MS) {
    throw invalidSignature(`Signature not yet current: ${sig.longDate} is still later than ${formatted(now + MAX_SKEW_MS)} (${formatted(now)} + 15 min.)`);
  }
}

function payloadHashOf(request: SignedRequest): string {
  const actual = request.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(request.body).digest('hex');
  const declared = headerValue(request.headers, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== actual) {
    // A declared hash that differs from the body (including UNSIGNED-PAYLOAD) would let a body be swapped
    // under a valid signature: refuse it.
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return actual;
}

const calculators = new Map<string, SignatureCalculator>();
function calculatorFor(service: string, region: string) {
  const key = `${service}/${region}`;
  let calc = calculators.get(key);
  if (!calc) calculators.set(key, (calc = new SignatureCalculator(service, region)));
  return calc;
}

/**
 * Checks the request's signature and returns whom it was made by. Throws the AWS common errors:
 * IncompleteSignatureException (400), InvalidSignatureException (403), UnrecognizedClientException (403).
 */
export async function verifySignature(
  request: SignedRequest,
  ctx: SignatureContext,
  resolver: CredentialResolver,
): Promise<SigningIdentity> {
  const authorizations = request.headers.authorization;
  if (authorizations !== undefined && authorizations.length > 1) throw incomplete('The request carries more than one Authorization header.');
  const authorization = authorizations?.[0];
  const sig = authorization !== undefined ? parseAuthorizationHeader(authorization, request.headers) : parsePresignedQuery(request.query);
  checkScope(sig, ctx);
  checkTime(sig, ctx);

  const canonicalHeaders: HeaderBag = {};
  for (const name of sig.signedHeaders) {
    const values = request.headers[name];
    if (values === undefined) throw invalidSignature(`Signed header '${name}' is not present in the request.`);
    canonicalHeaders[name] = canonicalHeaderValue(values);
  }
  const query: Record<string, string | string[]> = {};
  for (const [key, values] of request.query) {
    if (key === 'X-Amz-Signature') continue;
    query[key] = values.length === 1 ? values[0]! : values;
  }
  const httpRequest = new HttpRequest({ method: request.method, path: request.rawPath, query, headers: canonicalHeaders });
  const payloadHash = payloadHashOf(request);

  const identity = await resolver.resolve(sig.accessKeyId, sig.sessionToken);
  const scope = `${sig.scopeDate}/${sig.scopeRegion}/${sig.scopeService}/aws4_request`;
  const credentials = { accessKeyId: sig.accessKeyId, secretAccessKey: identity.secretAccessKey };
  const calc = calculatorFor(ctx.service, ctx.region);
  const provided = Buffer.from(sig.signature, 'utf8');
  const matches = async (hash: string) =>
    sameBytes(Buffer.from(await calc.calculate(httpRequest, canonicalHeaders, hash, sig.longDate, scope, credentials, sig.scopeRegion, sig.scopeService)), provided);
  if (await matches(payloadHash)) return identity;
  // Some clients presign with UNSIGNED-PAYLOAD. Such a signature covers no body at all, so a presigned URL
  // (good for up to 7 days) must not carry one: whoever holds the URL could send anything under it.
  if (sig.presignExpiresSeconds !== undefined && (await matches('UNSIGNED-PAYLOAD'))) {
    if (request.body.length === 0) return identity;
    throw invalidSignature(
      `The request was presigned with UNSIGNED-PAYLOAD, which does not cover a body, but it carries a ${request.body.length}-byte body. Sign the payload (its SHA-256) or send no body.`,
    );
  }
  throw signatureMismatch();
}

const signatureMismatch = () =>
  invalidSignature(
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

/** Constant-time comparison that also survives a provided signature of another byte length (a non-ASCII
 *  character is one string character but several bytes), which timingSafeEqual would throw on. */
function sameBytes(expected: Buffer, provided: Buffer): boolean {
  return expected.length === provided.length && timingSafeEqual(expected, provided);
}
