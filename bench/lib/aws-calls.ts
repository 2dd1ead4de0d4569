// Set-up calls the bench makes over HTTP, signed like any client would (not measured).
import { randomBytes } from 'node:crypto';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { DeveloperKey } from './server-process.ts';
import { sendOnce, signRequest, type WireRequest } from './sign.ts';

export const REGION = 'us-east-1';

export function newDeveloperKey(): DeveloperKey {
  const suffix = randomBytes(6).toString('hex').toUpperCase();
  return {
    accessKeyId: `AKIABENCH${suffix}`,
    secretAccessKey: `bench-secret-${randomBytes(16).toString('hex')}`,
    accountId: `1${String(Date.now()).slice(-11)}`,
  };
}

/** A Cognito Identity (JSON 1.1) request, signed. */
export function identityRequest(baseUrl: string, credentials: AwsCredentialIdentity | undefined, operation: string, input: unknown): Promise<WireRequest> {
  const body = JSON.stringify(input);
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityService.${operation}` };
  if (!credentials) {
    return Promise.resolve({ method: 'POST', path: '/', headers: { ...headers, host: new URL(baseUrl).host, 'content-length': String(Buffer.byteLength(body)) }, body });
  }
  return signRequest({ baseUrl, service: 'cognito-identity', region: REGION, credentials, method: 'POST', path: '/', headers, body });
}

/** Calls Cognito Identity and returns the parsed answer, failing on anything but 200. */
export async function callIdentity<T>(baseUrl: string, credentials: AwsCredentialIdentity | undefined, operation: string, input: unknown): Promise<T> {
  const response = await sendOnce(baseUrl, await identityRequest(baseUrl, credentials, operation, input));
  if (response.status !== 200) throw new Error(`${operation} answered ${response.status}: ${response.body}`);
  return JSON.parse(response.body) as T;
}

export async function createIdentityPool(baseUrl: string, developer: AwsCredentialIdentity, name: string): Promise<string> {
  const pool = await callIdentity<{ IdentityPoolId: string }>(baseUrl, developer, 'CreateIdentityPool', {
    IdentityPoolName: name,
    AllowUnauthenticatedIdentities: true,
  });
  return pool.IdentityPoolId;
}

/** Percent-encodes one URI label the way the AWS SDKs do (':' included). */
export const uriLabel = (value: string) => encodeURIComponent(value);
