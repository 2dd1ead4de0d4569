// GetOpenIdToken (unsigned, for a known identity) and GetOpenIdTokenForDeveloperIdentity (developer-signed:
// registers or finds the identity of a user the developer's backend authenticated).
import { COGNITO_LOGIN_PROVIDER } from '../../auth/open-id-tokens.ts';
import type { GetOpenIdTokenForDeveloperIdentityResponse, GetOpenIdTokenResponse } from '../../model/cognito-identity-types.ts';
import { invalidParameter, notAuthorized, ServiceError } from '../../protocol/errors.ts';
import type { IdentityLogin, Store } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { authenticateIdentity } from './authenticate-identity.ts';
import { refuseUnlessClassicFlow } from './classic-flow.ts';
import { newIdentity } from './identities.ts';
import { authenticationMethods, requireIdentityInPool } from './identity-access.ts';
import { linkFreeLogins, loginLinkedElsewhere, ownersOf } from './link-logins.ts';
import { type LoginVerification, verifyLogins } from './logins.ts';

/** "The OpenID token is valid for 10 minutes" (GetOpenIdToken's documentation). */
const OPEN_ID_TOKEN_SECONDS = 10 * 60;
/** GetOpenIdTokenForDeveloperIdentity's documented default TokenDuration. */
const DEFAULT_DEVELOPER_TOKEN_SECONDS = 15 * 60;
const MAX_DEVELOPER_USER_IDENTIFIER = 1024;

export function openIdTokenHandlers(
  store: Store,
  verification: LoginVerification,
): Pick<CognitoIdentityHandlers, 'GetOpenIdToken' | 'GetOpenIdTokenForDeveloperIdentity'> {
  const { tokens } = verification;
  return {
    async GetOpenIdToken(input, ctx): Promise<GetOpenIdTokenResponse> {
      const { identity, pool, logins } = await authenticateIdentity(store, verification, input.IdentityId, input.Logins, ctx.now);
      refuseUnlessClassicFlow(pool);
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
      // Public providers' tokens beside the developer user are verified and linked to the same identity.
      const publicLogins: Record<string, string> = {};
      for (const [key, token] of Object.entries(input.Logins)) {
        if (key === COGNITO_LOGIN_PROVIDER) throw notAuthorized(`'${COGNITO_LOGIN_PROVIDER}' tokens cannot be linked to a developer identity.`);
        if (key !== provider) publicLogins[key] = token;
      }
      const { logins: verified } = await verifyLogins(verification, pool, publicLogins, ctx.now);
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
      if (verified.length > 0) {
        const owned = await ownersOf(store, verification.importedLogins, pool, verified, ctx.now);
        const elsewhere = owned.find((o) => o.owner !== undefined && o.owner !== identityId);
        if (elsewhere) throw loginLinkedElsewhere(elsewhere.login.providerName);
        const takenBy = await linkFreeLogins(store, identityId, owned.filter((o) => o.owner === undefined).map((o) => o.login), ctx.now);
        if (takenBy) throw loginLinkedElsewhere(takenBy.login.providerName);
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
