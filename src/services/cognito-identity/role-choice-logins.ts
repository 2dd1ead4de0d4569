// The logins of a request as role choice reads them: the provider each stands for and its token's claims. Called
// only after the logins were verified (authenticate-identity.ts, or the STS web identity check), so the tokens are
// decoded here, not verified again.
import { decodeJwt } from 'jose';
import { COGNITO_LOGIN_PROVIDER } from '../../auth/open-id-tokens.ts';
import type { RoleChoiceLogin } from './role-choice.ts';

function claimsOf(token: string): Record<string, unknown> {
  try {
    return decodeJwt(token);
  } catch {
    // Not a JWT (Facebook, Login with Amazon, Twitter tokens): no claims to match.
    return {};
  }
}

/**
 * A token of ours stands for every provider its `amr` names (the developer provider of a developer-authenticated
 * identity, say), with its own claims. A user pool's mapping is keyed by pool and app client: the token's `aud`.
 */
export function roleChoiceLogins(logins: Readonly<Record<string, string>> | undefined): RoleChoiceLogin[] {
  const found: RoleChoiceLogin[] = [];
  for (const [provider, token] of Object.entries(logins ?? {})) {
    const claims = claimsOf(token);
    if (provider === COGNITO_LOGIN_PROVIDER) {
      const amr = (Array.isArray(claims.amr) ? (claims.amr as unknown[]) : []).filter((m): m is string => typeof m === 'string');
      // `authenticated`/`unauthenticated` name no provider, and each provider's entry is followed by one naming its
      // user (`<provider>:<user>`, `<developer provider>:<pool id>:<user>`, `<user pool>:CognitoSignIn:<sub>`).
      const providers = amr.filter(
        (m) => m !== 'authenticated' && m !== 'unauthenticated' && !amr.some((other) => other !== m && m.startsWith(`${other}:`)),
      );
      for (const provider of providers) found.push({ provider, claims });
    } else if (provider.startsWith('cognito-idp.') && typeof claims.aud === 'string') {
      found.push({ provider: `${provider}:${claims.aud}`, claims });
    } else {
      found.push({ provider, claims });
    }
  }
  return found;
}
