// Sends hand-built, SigV4-signed HTTP requests (for the wire details an SDK would never send wrong:
// bad JSON, bad percent-encoding, the JSON 1.1 target form, tampered bodies, skewed clocks).
import { request as httpRequest } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

export interface RawRequest {
  method: string;
  /** Path as it goes on the wire (already percent-encoded), without the query string. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A header given as a list of values goes on the wire as that many header lines. */
export function send(baseUrl: string, req: Omit<RawRequest, 'headers'> & { headers?: Record<string, string | string[]> }): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const query = req.query ? `?${Object.entries(req.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path + query, headers: req.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

export interface SignOptions {
  credentials: AwsCredentialIdentity;
  service: string;
  region?: string;
  signingDate?: Date;
}

/** Signs `req` like an AWS SDK would (host, x-amz-date, optional session token) and returns the headers to send. */
export async function sign(baseUrl: string, req: RawRequest, options: SignOptions): Promise<RawRequest> {
  const url = new URL(baseUrl);
  const signer = new SignatureV4({
    service: options.service,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const headers: Record<string, string> = { host: url.host, ...req.headers };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  const signed = await signer.sign(
    new HttpRequest({ method: req.method, hostname: url.hostname, port: Number(url.port), path: req.path, query: req.query, headers, body: req.body }),
    { signingDate: options.signingDate },
  );
  return { ...req, headers: signed.headers as Record<string, string> };
}

export async function sendSigned(baseUrl: string, req: RawRequest, options: SignOptions): Promise<RawResponse> {
  return send(baseUrl, await sign(baseUrl, req, options));
}
