// Calls to the server's operator endpoint (POST /operator/status), signed with the developer key like any AWS call.
import type { Api } from './aws.ts';

export interface OperatorStatus {
  server: { version: string; node: string; region: string; startedAt: string; uptimeSeconds: number };
  store: { kind: 'sqlite' | 'postgres'; answers: boolean; pingMs?: number; error?: string; onlineBackup: boolean };
  outbox: { depth?: number; error?: string; depthByKind: Record<string, number> | null; deadLetters: number | null };
  account: {
    accountId: string;
    poolsScanned: number;
    truncated: boolean;
    streamsTurnedOff: Array<{ identityPoolId: string; identityPoolName: string; streamName?: string; disabledReason?: string }>;
  };
}

export const OPERATOR_SIGNING_NAME = 'cognito-sync-operator';

export const operatorStatus = (api: Api) =>
  api.signedJson<OperatorStatus>({ method: 'POST', path: '/operator/status', service: OPERATOR_SIGNING_NAME, body: {} });

/** The pool's Cognito Streams settings as the server sends them: the SDK's model has no DisabledReason and drops it. */
export async function cognitoStreamsOnTheWire(api: Api, identityPoolId: string) {
  const answer = await api.signedJson<{ CognitoStreams?: { StreamName?: string; StreamingStatus?: string; RoleArn?: string; DisabledReason?: string } }>({
    method: 'GET',
    path: `/identitypools/${encodeURIComponent(identityPoolId)}/configuration`,
    service: 'cognito-sync',
  });
  return answer.CognitoStreams;
}
