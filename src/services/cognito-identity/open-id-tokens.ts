// GetOpenIdToken (unsigned, for a known identity) and GetOpenIdTokenForDeveloperIdentity (developer-signed:
// registers or finds the identity of a user the developer's backend authenticated).
import { COGNITO_LOGIN_PROVIDER, type OpenIdTokens } from '../../auth/open-id-tokens.ts';
import type { GetOpenIdTokenForDeveloperIdentityResponse, GetOpenIdTokenResponse } from '../../model/cognito-identity-types.ts';
import { invalidParameter, notAuthorized, ServiceError } from '../../protocol/errors.ts';
import type { IdentityLogin, Store } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { authenticateIdentity } from './authenticate-identity.ts';
import { newIdentity } from './identities.ts';
import { authenticationMethods, requireIdentityInPool } from './identity-access.ts';
import { refuseUnverifiableProvider } from './logins.ts';

/** "The OpenID token is valid for 10 minutes" (GetOpenIdToken's documentation). */
const OPEN_ID_TOKEN_SECONDS = 10 * 60;
/** GetOpenIdTokenForDeveloperIdentity's documented default TokenDuration. */
const DEFAULT_DEVELOPER_TOKEN_SECONDS = 15 * 60;
const MAX_DEVELOPER_USER_IDENTIFIER = 1024;

export function openIdTokenHandlers(
  store: Store,
  tokens: OpenIdTokens,
): Pick<CognitoIdentityHandlers, 'GetOpenIdToken' | 'GetOpenIdTokenForDeveloperIdentity'> {
  return {
    async GetOpenIdToken(input, ctx): Promise<GetOpenIdTokenResponse> {
      const { identity, pool, logins } = await authenticateIdentity(store, tokens, input.IdentityId, input.Logins);
      const Token = await tokens.issue(
        { identityPoolId: pool.identityPoolId, identityId: identity.identityId, amr: authenticationMethods(pool, logins) },
        OPEN_ID_TOKEN_SECONDS,
        ctx.now,
      );
      return { IdentityId: identity.identityId, Token };
    },

    async GetOpenIdTokenForDeveloperIdentity(input, ctx): Promise<GetOpenIdTokenForDeveloperIdentityResponse> {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const provider = pool.spec.DeveloperProviderName;
      if (provider === undefined) {
        throw notAuthorized(`Identity pool '${pool.identityPoolId}' has no developer provider: set DeveloperProviderName with UpdateIdentityPool first.`);
      }
      for (const key of Object.keys(input.Logins)) {
        if (key === COGNITO_LOGIN_PROVIDER) throw notAuthorized(`'${COGNITO_LOGIN_PROVIDER}' tokens cannot be linked to a developer identity.`);
        if (key !== provider) refuseUnverifiableProvider(pool, key);
      }
      const userIdentifier = input.Logins[provider];
      if (userIdentifier === undefined) {
        throw invalidParameter(`Logins must map the pool's developer provider '${provider}' to a developer user identifier.`);
      }
      if (userIdentifier.length > MAX_DEVELOPER_USER_IDENTIFIER) {
        throw invalidParameter(`The developer user identifier in Logins must be at most ${MAX_DEVELOPER_USER_IDENTIFIER} characters.`);
      }
      const login: IdentityLogin = { providerName: provider, userIdentifier };

      let identityId: string;
      if (input.IdentityId !== undefined) {
        // Links this user to an existing (for example unauthenticated) identity of the pool.
        const identity = await requireIdentityInPool(store, pool, input.IdentityId);
        const result = await store.linkLogin(identity.identityId, login, ctx.now);
        if (!result.linked) {
          throw new ServiceError(
            'DeveloperUserAlreadyRegisteredException',
            `The provided developer user identifier is already registered with Cognito under a different identity ID (${result.linkedTo}).`,
          );
        }
        identityId = identity.identityId;
      } else {
        identityId = (await store.findOrCreateIdentityForLogin(pool.identityPoolId, login, newIdentity(pool, ctx.now))).identityId;
      }

      const Token = await tokens.issue(
        {
          identityPoolId: pool.identityPoolId,
          identityId,
          amr: authenticationMethods(pool, await store.getIdentityLogins(identityId)),
          principalTags: input.PrincipalTags,
        },
        input.TokenDuration ?? DEFAULT_DEVELOPER_TOKEN_SECONDS,
        ctx.now,
      );
      return { IdentityId: identityId, Token };
    },
  };
}
