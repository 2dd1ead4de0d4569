// The Cognito Identity steps tests need to obtain identities and their temporary credentials, done the way
// an app does them: with the AWS SDK v3 client against the real server.
import {
  CreateIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { TestServer } from './server.ts';

export const DEVELOPER_PROVIDER = 'login.example.app';
export const COGNITO_LOGIN = 'cognito-identity.amazonaws.com';

export async function createPool(
  server: TestServer,
  options: { allowUnauthenticated?: boolean; /** null: none. */ developerProvider?: string | null; developer?: AwsCredentialIdentity } = {},
): Promise<string> {
  const pool = await server.identityClient(options.developer).send(
    new CreateIdentityPoolCommand({
      IdentityPoolName: `pool-${Math.random().toString(36).slice(2, 10)}`,
      AllowUnauthenticatedIdentities: options.allowUnauthenticated ?? true,
      DeveloperProviderName: options.developerProvider === null ? undefined : (options.developerProvider ?? DEVELOPER_PROVIDER),
    }),
  );
  return pool.IdentityPoolId!;
}

export interface IdentityWithCredentials {
  identityPoolId: string;
  identityId: string;
  credentials: AwsCredentialIdentity & { sessionToken: string; expiration: Date };
}

function toCredentials(c: { AccessKeyId?: string; SecretKey?: string; SessionToken?: string; Expiration?: Date } | undefined) {
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretKey!, sessionToken: c!.SessionToken!, expiration: c!.Expiration! };
}

/** GetId → GetCredentialsForIdentity: a new unauthenticated identity and its credentials. */
export async function unauthenticatedIdentity(server: TestServer, identityPoolId: string): Promise<IdentityWithCredentials> {
  const client = server.identityClient();
  const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: identityPoolId }));
  const { Credentials } = await client.send(new GetCredentialsForIdentityCommand({ IdentityId }));
  return { identityPoolId, identityId: IdentityId!, credentials: toCredentials(Credentials) };
}

/** GetOpenIdTokenForDeveloperIdentity (developer-signed) → GetCredentialsForIdentity with the token. */
export async function developerIdentity(
  server: TestServer,
  identityPoolId: string,
  userIdentifier: string,
): Promise<IdentityWithCredentials & { token: string }> {
  const { IdentityId, Token } = await server.identityClient().send(
    new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: identityPoolId, Logins: { [DEVELOPER_PROVIDER]: userIdentifier } }),
  );
  const { Credentials } = await server.identityClient().send(
    new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [COGNITO_LOGIN]: Token! } }),
  );
  return { identityPoolId, identityId: IdentityId!, token: Token!, credentials: toCredentials(Credentials) };
}
