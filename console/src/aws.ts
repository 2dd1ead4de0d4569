// The console is just another client of the server's public API: the official AWS SDK v3 clients, pointed at
// the origin the page came from, signing with the developer key. What the AWS API has no operation for comes from
// the operator endpoint (POST /operator/…), signed the same way.
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoSyncClient } from '@aws-sdk/client-cognito-sync';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DeveloperKey } from './session.ts';

export interface Api {
  identity: CognitoIdentityClient;
  sync: CognitoSyncClient;
  region: string;
  /** A signed JSON call outside the SDK's models (the operator endpoint; members the SDK models lack). */
  signedJson<T>(request: { method: 'GET' | 'POST'; path: string; service: string; body?: unknown }): Promise<T>;
}

/** The error an answer outside the SDK carries, shaped like the SDK's (name, message, status). */
export class ServerError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** The region the server serves (its pool ids and signatures use it). */
export async function serverRegion(): Promise<string> {
  const response = await fetch('/console/config.json', { cache: 'no-store' });
  if (!response.ok) throw new ServerError('ConsoleConfigUnavailable', `The server did not give its region (HTTP ${response.status})`, response.status);
  return ((await response.json()) as { region: string }).region;
}

export function createApi(key: DeveloperKey, region: string): Api {
  const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  const config = { region, endpoint: location.origin, credentials, maxAttempts: 2 };
  const sync = new CognitoSyncClient(config);
  const identity = new CognitoIdentityClient(config);
  const signers = new Map<string, SignatureV4>();
  const signerFor = (service: string) => {
    let signer = signers.get(service);
    if (!signer) signers.set(service, (signer = new SignatureV4({ service, region, credentials, sha256: sync.config.sha256, uriEscapePath: true })));
    return signer;
  };

  return {
    identity,
    sync,
    region,
    async signedJson<T>(request: { method: 'GET' | 'POST'; path: string; service: string; body?: unknown }): Promise<T> {
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      const signed = await signerFor(request.service).sign(
        new HttpRequest({
          method: request.method,
          protocol: location.protocol,
          hostname: location.hostname,
          port: location.port ? Number(location.port) : undefined,
          path: request.path,
          headers: { host: location.host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body,
        }),
      );
      const headers = { ...signed.headers };
      // The browser sets Host itself; it was signed with the same value.
      delete headers.host;
      const response = await fetch(request.path, { method: request.method, headers, body, cache: 'no-store' });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        throw new ServerError('UnreadableAnswer', `The server answered HTTP ${response.status} with something that is not JSON`, response.status);
      }
      if (!response.ok) {
        const error = parsed as { __type?: string; message?: string };
        throw new ServerError(error.__type?.split('#').pop() ?? `HTTP${response.status}`, error.message ?? text, response.status);
      }
      return parsed as T;
    },
  };
}
