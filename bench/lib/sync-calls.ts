// Identities and sync requests as an app makes them: GetId → GetCredentialsForIdentity (unsigned), then
// ListRecords / UpdateRecords signed with the identity's temporary credentials.
import type { AwsCredentialIdentity } from '@smithy/types';
import { callIdentity, REGION, uriLabel } from './aws-calls.ts';
import { sendOnce, signRequest, type WireRequest } from './sign.ts';

export interface BenchIdentity {
  identityPoolId: string;
  identityId: string;
  credentials: AwsCredentialIdentity & { sessionToken: string };
}

export async function newIdentity(baseUrl: string, identityPoolId: string): Promise<BenchIdentity> {
  const { IdentityId } = await callIdentity<{ IdentityId: string }>(baseUrl, undefined, 'GetId', { IdentityPoolId: identityPoolId });
  const { Credentials } = await callIdentity<{ Credentials: { AccessKeyId: string; SecretKey: string; SessionToken: string } }>(
    baseUrl,
    undefined,
    'GetCredentialsForIdentity',
    { IdentityId },
  );
  return {
    identityPoolId,
    identityId: IdentityId,
    credentials: { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretKey, sessionToken: Credentials.SessionToken },
  };
}

const datasetPath = (who: BenchIdentity, dataset: string) =>
  `/identitypools/${uriLabel(who.identityPoolId)}/identities/${uriLabel(who.identityId)}/datasets/${uriLabel(dataset)}`;

/** ListRecords from `lastSyncCount`; without a session token it is the first page of a pull (a new sync session). */
export function listRecordsRequest(baseUrl: string, who: BenchIdentity, dataset: string, lastSyncCount: number, sessionToken?: string): Promise<WireRequest> {
  const query: Record<string, string> = { lastSyncCount: String(lastSyncCount) };
  if (sessionToken) query.syncSessionToken = sessionToken;
  return signRequest({ baseUrl, service: 'cognito-sync', region: REGION, credentials: who.credentials, method: 'GET', path: `${datasetPath(who, dataset)}/records`, query });
}

export interface Patch {
  key: string;
  value: string | null;
  syncCount: number;
}

export function updateRecordsRequest(baseUrl: string, who: BenchIdentity, dataset: string, sessionToken: string, patches: Patch[]): Promise<WireRequest> {
  const body = JSON.stringify({
    SyncSessionToken: sessionToken,
    RecordPatches: patches.map((p) => (p.value === null ? { Op: 'remove', Key: p.key, SyncCount: p.syncCount } : { Op: 'replace', Key: p.key, Value: p.value, SyncCount: p.syncCount })),
  });
  return signRequest({
    baseUrl,
    service: 'cognito-sync',
    region: REGION,
    credentials: who.credentials,
    method: 'POST',
    path: datasetPath(who, dataset),
    headers: { 'content-type': 'application/json' },
    body,
  });
}

async function expectOk(baseUrl: string, request: WireRequest, what: string): Promise<Record<string, unknown>> {
  const answer = await sendOnce(baseUrl, request);
  if (answer.status !== 200) throw new Error(`${what} answered ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body) as Record<string, unknown>;
}

/** A pull: returns the session token UpdateRecords needs and the dataset's count. */
export async function pull(baseUrl: string, who: BenchIdentity, dataset: string): Promise<{ sessionToken: string; syncCount: number; count: number }> {
  const answer = await expectOk(baseUrl, await listRecordsRequest(baseUrl, who, dataset, 0), 'ListRecords');
  return { sessionToken: answer.SyncSessionToken as string, syncCount: answer.DatasetSyncCount as number, count: answer.Count as number };
}

/**
 * `n` session tokens for pushes to come, one pull each: a token is spent by the push that uses it (as on AWS),
 * so a pre-signed sequence of pushes needs one token per push. A few pulls at a time per identity.
 */
export async function sessionTokens(baseUrl: string, who: BenchIdentity, dataset: string, n: number): Promise<string[]> {
  const tokens: string[] = [];
  const AT_ONCE = 8;
  while (tokens.length < n) {
    const batch = Math.min(AT_ONCE, n - tokens.length);
    const pulled = await Promise.all(Array.from({ length: batch }, () => pull(baseUrl, who, dataset)));
    tokens.push(...pulled.map((p) => p.sessionToken));
  }
  return tokens;
}

export async function push(baseUrl: string, who: BenchIdentity, dataset: string, sessionToken: string, patches: Patch[]): Promise<void> {
  await expectOk(baseUrl, await updateRecordsRequest(baseUrl, who, dataset, sessionToken, patches), 'UpdateRecords');
}

/** A value of about the size apps store in a record (a small JSON setting). */
export const recordValue = (i: number) => `{"setting":${i},"updated":"2026-01-01T00:00:00Z","note":"bench"}`;
