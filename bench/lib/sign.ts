// Pre-signs requests once, before the load starts: a SigV4 signature stays valid for 15 minutes, so
// the load generator can replay the exact bytes without spending its own CPU on signing.
import { type Agent, request as httpRequest } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface WireRequest {
  method: string;
  /** Path as sent (percent-encoded), with the query string if any. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SignOptions {
  baseUrl: string;
  service: 'cognito-sync' | 'cognito-identity';
  region: string;
  credentials: AwsCredentialIdentity;
  method: string;
  /** Percent-encoded path, without the query string. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

export async function signRequest(options: SignOptions): Promise<WireRequest> {
  const url = new URL(options.baseUrl);
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const headers: Record<string, string> = { host: url.host, ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const signed = await signer.sign(
    new HttpRequest({ method: options.method, hostname: url.hostname, port: Number(url.port), path: options.path, query: options.query, headers, body: options.body }),
  );
  const query = options.query
    ? `?${Object.entries(options.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`
    : '';
  return { method: options.method, path: options.path + query, headers: signed.headers as Record<string, string>, body: options.body };
}

export interface WireResponse {
  status: number;
  headers: Headers;
  /** Header names and values as sent, in order, with their original spelling. */
  rawHeaders: string[];
  body: string;
}

/**
 * Sends one wire request and returns status, headers and body: on a fresh connection (servers are restarted
 * between most calls, so no pooled socket may be reused), or on `agent`'s kept-alive one.
 */
export function sendOnce(baseUrl: string, request: WireRequest, agent: Agent | false = false): Promise<WireResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers: request.headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({ status: response.statusCode ?? 0, headers, rawHeaders: response.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
