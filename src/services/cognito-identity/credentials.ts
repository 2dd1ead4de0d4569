// GetCredentialsForIdentity: temporary credentials that act for one identity on Cognito Sync.
// CustomRoleArn is accepted and ignored: this server has no IAM roles; what identity credentials may do is
// fixed by the Cognito Sync rules (auth/operation-rules.ts).
import type { IdentityCredentials } from '../../auth/identity-credentials.ts';
import type { GetCredentialsForIdentityResponse } from '../../model/cognito-identity-types.ts';
import type { Store } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import { authenticateIdentity } from './authenticate-identity.ts';
import type { LoginVerification } from './logins.ts';

export function credentialHandlers(
  store: Store,
  verification: LoginVerification,
  credentials: IdentityCredentials,
): Pick<CognitoIdentityHandlers, 'GetCredentialsForIdentity'> {
  return {
    async GetCredentialsForIdentity(input, ctx): Promise<GetCredentialsForIdentityResponse> {
      const { identity, pool } = await authenticateIdentity(store, verification, input.IdentityId, input.Logins, ctx.now);
      return {
        // A merged identity's caller (a guest who signed in to an existing account, too) learns the surviving id here, as with AWS.
        IdentityId: identity.identityId,
        Credentials: credentials.issue({ identityId: identity.identityId, identityPoolId: pool.identityPoolId, accountId: pool.accountId }, ctx.now),
      };
    },
  };
}
