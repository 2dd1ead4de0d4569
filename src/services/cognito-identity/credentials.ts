// GetCredentialsForIdentity: temporary credentials that act for one identity on Cognito Sync. The pool's roles
// decide whether the identity gets credentials at all and which role it asked for (role-choice.ts); what the
// credentials may do here is fixed by the Cognito Sync rules (auth/operation-rules.ts), whatever the role.
import type { IdentityCredentials } from '../../auth/identity-credentials.ts';
import type { GetCredentialsForIdentityResponse } from '../../model/cognito-identity-types.ts';
import type { Store } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import { authenticateIdentity } from './authenticate-identity.ts';
import { chooseRole } from './role-choice.ts';
import { roleChoiceLogins } from './role-choice-logins.ts';
import type { LoginVerification } from './logins.ts';

export function credentialHandlers(
  store: Store,
  verification: LoginVerification,
  credentials: IdentityCredentials,
): Pick<CognitoIdentityHandlers, 'GetCredentialsForIdentity'> {
  return {
    async GetCredentialsForIdentity(input, ctx): Promise<GetCredentialsForIdentityResponse> {
      const { identity, pool, logins } = await authenticateIdentity(store, verification, input.IdentityId, input.Logins, ctx.now);
      chooseRole(await store.getIdentityPoolRoles(pool.identityPoolId), {
        authenticated: logins.length > 0,
        logins: roleChoiceLogins(input.Logins),
        customRoleArn: input.CustomRoleArn,
      });
      return {
        // A merged identity's caller (a guest who signed in to an existing account, too) learns the surviving id here, as with AWS.
        IdentityId: identity.identityId,
        Credentials: credentials.issue({ identityId: identity.identityId, identityPoolId: pool.identityPoolId, accountId: pool.accountId }, ctx.now),
      };
    },
  };
}
