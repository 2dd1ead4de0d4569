// A stand-in for Amazon SNS's mobile push API, for tests: SNS has no implementation that runs here. It speaks
// the wire protocol @aws-sdk/client-sns uses — the AWS query protocol (form-encoded `Action=…&Version=2010-03-31`
// POSTs, XML results, XML `<ErrorResponse>`s with SNS's error codes) — so the server under test runs its real
// SNS client against it. It keeps platform applications and endpoints in memory and records every Publish.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const APP_ARN = /^arn:aws:sns:([-0-9a-z]+):(\d{12}):app\/([A-Z_]+)\/([a-zA-Z0-9_.-]+)$/;

export interface StandInEndpoint {
  endpointArn: string;
  applicationArn: string;
  token: string;
  enabled: boolean;
  customUserData?: string;
}

export interface RecordedPublish {
  targetArn: string;
  /** The Message parameter exactly as sent. */
  message: string;
  messageStructure?: string;
  /** MessageAttributes as name → StringValue. */
  attributes: Record<string, string>;
  /** The SigV4 credential scope the request was signed with (`<date>/<region>/sns/aws4_request`). */
  credentialScope: string;
}

class SnsError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const xmlEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export class SnsStandIn {
  readonly applications = new Set<string>();
  readonly endpoints = new Map<string, StandInEndpoint>();
  readonly publishes: RecordedPublish[] = [];
  /** Every Publish that reached an endpoint, accepted or not: its target and 'accepted' or the error code. */
  readonly publishAttempts: Array<{ targetArn: string; outcome: string }> = [];
  /** Every request's Action, in order. */
  readonly actions: string[] = [];
  /** While set, every Publish answers this error (e.g. to hold deliveries back). */
  publishFailure: { code: string; status: number; message: string } | undefined;
  private server: Server | undefined;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Creates a platform application (as the SNS console would) and returns its ARN. */
  createPlatformApplication(platform: string, name: string, region = 'us-east-1', accountId = '123456789012'): string {
    const arn = `arn:aws:sns:${region}:${accountId}:app/${platform}/${name}`;
    this.applications.add(arn);
    return arn;
  }

  /** What SNS does when the push service reports a token invalid. */
  disableEndpoint(endpointArn: string): void {
    this.endpointOf(endpointArn).enabled = false;
  }

  deleteEndpoint(endpointArn: string): void {
    this.endpoints.delete(endpointArn);
  }

  attemptsTo(endpointArn: string): string[] {
    return this.publishAttempts.filter((a) => a.targetArn === endpointArn).map((a) => a.outcome);
  }

  publishesTo(endpointArn: string): RecordedPublish[] {
    return this.publishes.filter((p) => p.targetArn === endpointArn);
  }

  /** Resolves once `count` publishes have been accepted in all. */
  waitForPublishes(count: number, timeoutMs = 15_000): Promise<void> {
    if (this.publishes.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} publishes within ${timeoutMs} ms, got ${this.publishes.length}`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private endpointOf(endpointArn: string): StandInEndpoint {
    const endpoint = this.endpoints.get(endpointArn);
    if (!endpoint) throw new SnsError('NotFound', 404, 'Endpoint does not exist');
    return endpoint;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = randomUUID();
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
        throw new SnsError('InvalidAction', 400, 'expected a form-encoded POST (AWS query protocol)');
      }
      const scope = /Credential=[^/]+\/([^,]+),/.exec(String(req.headers.authorization ?? ''))?.[1];
      if (!scope || !scope.endsWith('/sns/aws4_request')) throw new SnsError('IncompleteSignature', 400, 'request is not SigV4-signed for sns');
      if (params.get('Version') !== '2010-03-31') throw new SnsError('InvalidParameterValue', 400, `unsupported Version ${params.get('Version')}`);
      const action = params.get('Action') ?? '';
      this.actions.push(action);
      const result = this.act(action, params, scope);
      res.writeHead(200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId });
      res.end(
        `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      const e = error instanceof SnsError ? error : new SnsError('InternalError', 500, (error as Error).message);
      res.writeHead(e.status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId });
      res.end(
        `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
          `<Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    }
  }

  private act(action: string, params: URLSearchParams, scope: string): string {
    const required = (name: string) => {
      const value = params.get(name);
      if (value === null || value === '') throw new SnsError('InvalidParameter', 400, `Invalid parameter: ${name} is required`);
      return value;
    };
    switch (action) {
      case 'CreatePlatformEndpoint': {
        const applicationArn = required('PlatformApplicationArn');
        const token = required('Token');
        const app = APP_ARN.exec(applicationArn);
        if (!app) throw new SnsError('InvalidParameter', 400, 'Invalid parameter: PlatformApplicationArn');
        if (!this.applications.has(applicationArn)) throw new SnsError('NotFound', 404, 'PlatformApplication does not exist');
        const customUserData = params.get('CustomUserData') ?? undefined;
        // SNS's documented idempotence: the same token in the same application is the same endpoint.
        for (const endpoint of this.endpoints.values()) {
          if (endpoint.applicationArn === applicationArn && endpoint.token === token) {
            if (customUserData !== undefined && customUserData !== endpoint.customUserData) {
              throw new SnsError('InvalidParameter', 400, `Invalid parameter: Token Reason: Endpoint ${endpoint.endpointArn} already exists with the same Token, but different attributes.`);
            }
            return `<EndpointArn>${xmlEscape(endpoint.endpointArn)}</EndpointArn>`;
          }
        }
        const [, region, account, platform, name] = app;
        const endpointArn = `arn:aws:sns:${region}:${account}:endpoint/${platform}/${name}/${randomUUID()}`;
        this.endpoints.set(endpointArn, { endpointArn, applicationArn, token, enabled: true, customUserData });
        return `<EndpointArn>${xmlEscape(endpointArn)}</EndpointArn>`;
      }
      case 'GetEndpointAttributes': {
        const endpoint = this.endpointOf(required('EndpointArn'));
        const entries: Array<[string, string]> = [['Enabled', String(endpoint.enabled)], ['Token', endpoint.token]];
        if (endpoint.customUserData !== undefined) entries.push(['CustomUserData', endpoint.customUserData]);
        return `<Attributes>${entries.map(([k, v]) => `<entry><key>${k}</key><value>${xmlEscape(v)}</value></entry>`).join('')}</Attributes>`;
      }
      case 'SetEndpointAttributes': {
        const endpoint = this.endpointOf(required('EndpointArn'));
        for (const [key, value] of entries(params, 'Attributes', 'key', 'value')) {
          if (key === 'Enabled') endpoint.enabled = value === 'true';
          else if (key === 'Token') endpoint.token = value;
          else if (key === 'CustomUserData') endpoint.customUserData = value;
          else throw new SnsError('InvalidParameter', 400, `Invalid parameter: Attributes Reason: unknown attribute ${key}`);
        }
        return '';
      }
      case 'DeleteEndpoint': {
        this.endpoints.delete(required('EndpointArn'));
        return '';
      }
      case 'Publish': {
        const targetArn = required('TargetArn');
        const message = required('Message');
        const refuse = (error: SnsError) => {
          this.publishAttempts.push({ targetArn, outcome: error.code });
          return error;
        };
        const endpoint = this.endpoints.get(targetArn);
        if (!endpoint) throw refuse(new SnsError('NotFound', 404, 'Endpoint does not exist'));
        if (this.publishFailure) {
          const { code, status, message: text } = this.publishFailure;
          throw refuse(new SnsError(code, status, text));
        }
        if (!endpoint.enabled) throw refuse(new SnsError('EndpointDisabled', 400, 'Endpoint is disabled'));
        const messageStructure = params.get('MessageStructure') ?? undefined;
        if (messageStructure === 'json') {
          let parsed: unknown;
          try {
            parsed = JSON.parse(message);
          } catch {
            throw new SnsError('InvalidParameter', 400, 'Invalid parameter: Message Structure - JSON message body failed to parse');
          }
          if (typeof (parsed as Record<string, unknown>)?.default !== 'string') {
            throw new SnsError('InvalidParameter', 400, 'Invalid parameter: Message Structure - No default entry in JSON message body');
          }
        }
        const attributes: Record<string, string> = {};
        for (const [name, value] of entries(params, 'MessageAttributes', 'Name', 'Value.StringValue')) attributes[name] = value;
        this.publishes.push({ targetArn, message, messageStructure, attributes, credentialScope: scope });
        this.publishAttempts.push({ targetArn, outcome: 'accepted' });
        for (const waiter of this.waiters.filter((w) => this.publishes.length >= w.count)) waiter.resolve();
        this.waiters = this.waiters.filter((w) => this.publishes.length < w.count);
        return `<MessageId>${randomUUID()}</MessageId>`;
      }
      default:
        throw new SnsError('InvalidAction', 400, `The action ${action} is not valid for this web service.`);
    }
  }
}

/** A query-protocol map parameter: `<prefix>.entry.N.<keyName>` / `<prefix>.entry.N.<valueName>`. */
function entries(params: URLSearchParams, prefix: string, keyName: string, valueName: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let n = 1; params.has(`${prefix}.entry.${n}.${keyName}`); n += 1) {
    out.push([params.get(`${prefix}.entry.${n}.${keyName}`)!, params.get(`${prefix}.entry.${n}.${valueName}`) ?? '']);
  }
  return out;
}

export async function startSnsStandIn(): Promise<SnsStandIn> {
  const standIn = new SnsStandIn();
  await standIn.start();
  return standIn;
}
