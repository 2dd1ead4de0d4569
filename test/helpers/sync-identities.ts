// The sync tests' view of an identity: one from identity-flows.ts (made as an app makes it, through the
// Cognito Identity SDK client), plus `device()`, a Cognito Sync client signed with its temporary credentials.
// Two devices of one user are two such clients on the same identity.
import type { CognitoSyncClient } from '@aws-sdk/client-cognito-sync';
import { createPool, developerIdentity, type IdentityWithCredentials, unauthenticatedIdentity } from './identity-flows.ts';
import type { TestServer } from './server.ts';

export { DEVELOPER_PROVIDER } from './identity-flows.ts';

export interface SyncIdentity extends IdentityWithCredentials {
  device(): CognitoSyncClient;
}

const withDevice = (server: TestServer, identity: IdentityWithCredentials): SyncIdentity => ({
  ...identity,
  device: () => server.syncClient(identity.credentials),
});

/** A pool that allows unauthenticated identities and has a developer provider (for merges). */
export const createIdentityPool = (server: TestServer) => createPool(server);

/** GetId → GetCredentialsForIdentity. */
export const newIdentity = async (server: TestServer, identityPoolId: string) =>
  withDevice(server, await unauthenticatedIdentity(server, identityPoolId));

/** An identity linked to a developer user, so MergeDeveloperIdentities can name it. */
export const developerUserIdentity = async (server: TestServer, identityPoolId: string, userIdentifier: string) =>
  withDevice(server, await developerIdentity(server, identityPoolId, userIdentifier));
