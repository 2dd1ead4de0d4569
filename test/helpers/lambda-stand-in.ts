// A stand-in for AWS Lambda's Invoke API, for the sync trigger tests: Lambda has no runnable implementation
// here. It speaks Lambda's real wire protocol (botocore lambda 2015-03-31, rest-json), so the server under
// test calls it through the official @aws-sdk/client-lambda, pointed here with AWS_ENDPOINT_URL_LAMBDA:
//   POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=…]   body = the event
//   X-Amz-Invocation-Type: RequestResponse (default) → 200 with the function's JSON result and
//     X-Amz-Executed-Version; a function that throws → 200 with X-Amz-Function-Error: Unhandled and
//     {errorType, errorMessage, trace}; Event → 202; DryRun → 204.
//   Errors as Lambda sends them: x-amzn-ErrorType header, JSON body (404 ResourceNotFoundException
//   {Type, Message}; 429 TooManyRequestsException {Type, message, Reason}; 403 for a bad signature).
// Requests must be SigV4-signed for service `lambda` with the stand-in's key, checked with the server's own
// verifier, so a test proves the server used the standard credential chain and the function's region.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/auth/sigv4-verify.ts';
import { ServiceError } from '../../src/protocol/errors.ts';
import { parseQueryString } from '../../src/protocol/query-string.ts';

export type StandInFunction = (event: any, context: { functionName: string; awsRequestId: string }) => unknown;

export interface StandInInvocation {
  functionName: string;
  qualifier?: string;
  /** The signer's access key id and the region of the signature's scope. */
  accessKeyId: string;
  region: string;
  event: unknown;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const ACCOUNT_ID = '123456789012';

export class LambdaStandIn {
  readonly region: string;
  readonly credentials = { accessKeyId: 'AKIALAMBDASTANDIN001', secretAccessKey: `stand-in-secret-${randomUUID()}` };
  readonly invocations: StandInInvocation[] = [];
  private readonly functions = new Map<string, StandInFunction>();
  private readonly throttled = new Set<string>();
  private server: Server | undefined;
  url = '';

  constructor(region = 'us-east-1') {
    this.region = region;
  }

  /** The ARN SetCognitoEvents is given for a function registered under `name`. */
  arnOf(name: string): string {
    return `arn:aws:lambda:${this.region}:${ACCOUNT_ID}:function:${name}`;
  }

  register(name: string, handler: StandInFunction): string {
    this.functions.set(name, handler);
    return this.arnOf(name);
  }

  /** Every later invocation of `name` is refused with 429 TooManyRequestsException, as Lambda does at its concurrency limit. */
  throttle(name: string): void {
    this.throttled.add(name);
  }

  invocationsOf(name: string): StandInInvocation[] {
    return this.invocations.filter((invocation) => invocation.functionName === name);
  }

  /** What the server under test needs to reach this stand-in through the standard AWS SDK configuration. */
  env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_LAMBDA: this.url,
      AWS_ACCESS_KEY_ID: this.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.credentials.secretAccessKey,
      AWS_REGION: this.region,
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.answer(req, res).catch((error: Error) => {
        if (!res.headersSent) sendError(res, 500, 'ServiceException', { Type: 'Service', Message: error.message });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
    const query = parseQueryString(queryStart === -1 ? '' : url.slice(queryStart + 1));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);

    const match = INVOKE_PATH.exec(rawPath);
    if (req.method !== 'POST' || !match) {
      return sendError(res, 404, 'UnknownOperationException', { message: `No Lambda operation at ${req.method} ${rawPath}` });
    }

    let accessKeyId: string;
    let region: string;
    try {
      const signed = await verifySignature(
        { method: 'POST', rawPath, query, headers: req.headersDistinct, body },
        { service: 'lambda', region: this.region, now: new Date() },
        {
          resolve: async (keyId) => {
            if (keyId !== this.credentials.accessKeyId) {
              throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
            }
            return {
              secretAccessKey: this.credentials.secretAccessKey,
              principal: { kind: 'developer', accountId: ACCOUNT_ID, accessKeyId: keyId },
            };
          },
        },
      );
      accessKeyId = signed.principal.accessKeyId;
      region = this.region;
    } catch (error) {
      const failure = error as ServiceError;
      return sendError(res, 403, failure.code ?? 'InvalidSignatureException', { message: failure.message });
    }

    const requested = decodeURIComponent(match[1]!);
    const { functionName, qualifier: pathQualifier } = parseFunctionName(requested);
    const qualifier = query.get('Qualifier')?.[0] ?? pathQualifier;
    const handler = this.functions.get(functionName);
    if (!handler) {
      return sendError(res, 404, 'ResourceNotFoundException', { Type: 'User', Message: `Function not found: ${this.arnOf(functionName)}` });
    }
    if (this.throttled.has(functionName)) {
      return sendError(res, 429, 'TooManyRequestsException', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        Type: 'User',
        message: 'Rate Exceeded.',
      });
    }

    let event: unknown;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return sendError(res, 400, 'InvalidRequestContentException', { Type: 'User', message: 'Could not parse request body into json' });
    }
    // A copy: functions change the event they are given, as the sync trigger's are meant to.
    this.invocations.push({ functionName, qualifier, accessKeyId, region, event: structuredClone(event) });

    const invocationType = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    const awsRequestId = randomUUID();
    if (invocationType === 'DryRun') return send(res, 204, {}, '');
    if (invocationType === 'Event') {
      void Promise.resolve().then(() => handler(event, { functionName, awsRequestId })).catch(() => {});
      return send(res, 202, {}, '');
    }

    const headers = { 'X-Amz-Executed-Version': qualifier && qualifier !== '$LATEST' ? qualifier : '$LATEST' };
    try {
      const result = await handler(event, { functionName, awsRequestId });
      send(res, 200, headers, JSON.stringify(result ?? null));
    } catch (thrown) {
      // What the managed Node.js runtime reports for an uncaught error.
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      const payload = { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
      send(res, 200, { ...headers, 'X-Amz-Function-Error': 'Unhandled' }, JSON.stringify(payload));
    }
  }
}

/** Accepts a name, `name:qualifier`, or a full ARN with or without a qualifier. */
function parseFunctionName(requested: string): { functionName: string; qualifier?: string } {
  const parts = requested.split(':');
  if (parts[0] === 'arn') return { functionName: parts[6] ?? '', qualifier: parts[7] };
  return { functionName: parts[0] ?? '', qualifier: parts[1] };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  // The server under test may have given up (timeout): its socket is gone, and that is fine.
  if (res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, code: string, body: Record<string, string>): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    'x-amzn-ErrorType': code,
  });
  res.end(text);
}
