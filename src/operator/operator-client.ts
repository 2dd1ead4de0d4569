// The command-line side of the operator endpoint: signs a POST with a developer key as an AWS SDK would and hands
// back the answer's lines as they arrive (the backup streams its progress).
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { OPERATOR_SIGNING_NAME } from './operator-api.ts';

export class OperatorRequestFailed extends Error {}

/**
 * The developer key to sign with: the server's own variables (COGNITO_SYNC_ACCESS_KEY_ID / _SECRET_ACCESS_KEY), then
 * the AWS ones, then the key a first start generated into `<data-dir>/credentials`.
 */
export function developerKeyFor(dataDir: string, env: NodeJS.ProcessEnv): { credentials: AwsCredentialIdentity; from: string } | undefined {
  if (env.COGNITO_SYNC_ACCESS_KEY_ID && env.COGNITO_SYNC_SECRET_ACCESS_KEY) {
    return { credentials: { accessKeyId: env.COGNITO_SYNC_ACCESS_KEY_ID, secretAccessKey: env.COGNITO_SYNC_SECRET_ACCESS_KEY }, from: 'COGNITO_SYNC_ACCESS_KEY_ID' };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }, from: 'AWS_ACCESS_KEY_ID' };
  }
  const file = join(dataDir, 'credentials');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const id = /^\s*aws_access_key_id\s*=\s*(\S+)/m.exec(text)?.[1];
  const secret = /^\s*aws_secret_access_key\s*=\s*(\S+)/m.exec(text)?.[1];
  return id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret }, from: file } : undefined;
}

export interface OperatorCall {
  endpointUrl: string;
  region: string;
  credentials: AwsCredentialIdentity;
  operation: 'status' | 'backup';
}

/** Sends the signed call; resolves with the status and an async iterator over the answer's lines. */
export async function callOperator(call: OperatorCall): Promise<{ status: number; lines: AsyncIterable<string> }> {
  const url = new URL(call.endpointUrl);
  const body = '{}';
  const signer = new SignatureV4({ service: OPERATOR_SIGNING_NAME, region: call.region, credentials: call.credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: `/operator/${call.operation}`,
      headers: { host: url.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
    }),
  );
  const send = url.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(
      { protocol: url.protocol, hostname: url.hostname, port: url.port, method: 'POST', path: signed.path, headers: signed.headers },
      (res) => {
        res.setEncoding('utf8');
        resolve({ status: res.statusCode ?? 0, lines: readLines(res) });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function* readLines(stream: AsyncIterable<string>): AsyncIterable<string> {
  let pending = '';
  for await (const chunk of stream) {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield line;
    }
  }
  if (pending.trim()) yield pending.trim();
}

/** The message of an AWS-shaped error answer. */
export function errorMessageOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { __type?: string; message?: string };
    return `${body.__type ?? 'error'} (HTTP ${status}): ${body.message ?? text}`;
  } catch {
    return `HTTP ${status}: ${text.slice(0, 300)}`;
  }
}
