// Verification shared by every provider whose logins are JWTs (user pools, Google, Apple, OpenID Connect): the
// claims first, in the order AWS reports them, then the signature against the provider's published keys. Claims
// come first so a token that could never pass (wrong issuer, expired) costs no call to the provider; nothing is
// accepted before the signature holds.
import { compactVerify, decodeJwt, decodeProtectedHeader, errors, type JWTPayload } from 'jose';
import { ServiceError } from '../../protocol/errors.ts';
import { invalidLoginToken } from './login-errors.ts';
import type { RemoteKeySet } from './remote-key-set.ts';

/** Asymmetric algorithms only: a provider's public keys can never verify a MAC, and `none` is never a signature. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** How far ahead of ours a provider's clock may be for `nbf` and `iat`; expiry is checked without slack, as AWS does. */
const CLOCK_SKEW_SECONDS = 60;

export interface JwtLoginRules {
  /** `iss` values this provider signs with. */
  issuers: string[];
  /** Acceptable `aud` values (the pool's or the operator's client ids). */
  audiences: string[];
  /** The refusal for a token meant for another client; `Incorrect token audience.` unless given. */
  wrongAudience?: () => ServiceError;
  /** Checks of provider-specific claims (a user pool's `token_use`), after the audience. */
  checkClaims?: (claims: JWTPayload) => void;
  keys: () => Promise<RemoteKeySet>;
  now: Date;
}

/** Returns the token's subject (`sub`), or throws NotAuthorizedException (or ExternalServiceException). */
export async function verifyJwtLogin(token: string, rules: JwtLoginRules): Promise<string> {
  let claims: JWTPayload;
  try {
    decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    throw invalidLoginToken('Not a valid OpenId Connect identity token.');
  }
  if (typeof claims.iss !== 'string' || !rules.issuers.includes(claims.iss)) throw invalidLoginToken("Issuer doesn't match providerName");
  if (claims.aud === undefined) throw invalidLoginToken('Missing a required claim: aud');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((aud) => rules.audiences.includes(aud))) throw (rules.wrongAudience ?? (() => invalidLoginToken('Incorrect token audience.')))();
  rules.checkClaims?.(claims);
  const now = Math.floor(rules.now.getTime() / 1000);
  if (typeof claims.exp !== 'number') throw invalidLoginToken('Missing a required claim: exp');
  if (now >= claims.exp) throw invalidLoginToken(`Token expired: ${now} >= ${claims.exp}`);
  if (typeof claims.iat !== 'number') throw invalidLoginToken('Missing a required claim: iat');
  if (claims.iat > now + CLOCK_SKEW_SECONDS) throw invalidLoginToken(`Token issued in the future: ${claims.iat} > ${now}`);
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + CLOCK_SKEW_SECONDS)) {
    throw invalidLoginToken(`Token not valid yet: ${now} < ${String(claims.nbf)}`);
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw invalidLoginToken('Missing a required claim: sub');
  await verifySignature(token, await rules.keys());
  return claims.sub;
}

async function verifySignature(token: string, keys: RemoteKeySet): Promise<void> {
  try {
    await compactVerify(token, keys.resolve, { algorithms: ALGORITHMS });
    return;
  } catch (error) {
    if (error instanceof ServiceError) throw error; // the provider could not be reached
    if (error instanceof errors.JWKSMultipleMatchingKeys) {
      // A token without a key id, and several keys fit: it is good if any of them verifies it.
      for await (const key of error as errors.JWKSMultipleMatchingKeys & AsyncIterable<CryptoKey>) {
        try {
          await compactVerify(token, key, { algorithms: ALGORITHMS });
          return;
        } catch {
          // try the next key
        }
      }
    }
  }
  throw invalidLoginToken("Couldn't verify signed token.");
}
