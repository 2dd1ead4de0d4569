// OpenID Connect tokens for Cognito identities: RS256 JWTs signed with a key pair that every node shares (kept
// in the store, see crypto/server-keys.ts), verifiable by anyone through /.well-known/jwks.json. Each token's
// `kid` is its key's JWK thumbprint: tokens are signed with the current server key and verified with whichever
// configured key they name, so the signing key can be rotated, and JWKS lists every key still configured.
//
// The issuer is AWS's own, `https://cognito-identity.amazonaws.com`: clients and relying parties that check
// `iss` for Cognito Identity tokens keep working. They must take the keys from this server's JWKS, not AWS's.
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, errors, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { notAuthorized } from '../protocol/errors.ts';

export const OPENID_ISSUER = 'https://cognito-identity.amazonaws.com';
/** The Logins key under which clients present tokens this server issued. */
export const COGNITO_LOGIN_PROVIDER = 'cognito-identity.amazonaws.com';
const ALGORITHM = 'RS256';

export interface OpenIdClaims {
  identityPoolId: string;
  identityId: string;
  /** `unauthenticated`, or `authenticated` followed by the providers that authenticated the identity. */
  amr: string[];
  principalTags?: Record<string, string>;
}

export interface VerifiedOpenIdToken {
  identityPoolId: string;
  identityId: string;
  amr: string[];
}

/** A token this server issued, checked without knowing its pool first (STS AssumeRoleWithWebIdentity). */
export interface VerifiedWebIdentity extends VerifiedOpenIdToken {
  /** Epoch seconds. */
  expiresAt: number;
  claims: JWTPayload;
}

/** Why a token is not one of ours, or no longer good; each caller words it as its service does. */
export type TokenProblem =
  | { kind: 'expired'; /** Epoch seconds, when the token says. */ expiresAt?: number }
  | { kind: 'issuer' }
  | { kind: 'signature' }
  | { kind: 'malformed' };

const invalidToken = (reason: string) => notAuthorized(`Invalid login token. ${reason}`);

function cognitoIdentityRefusal(problem: TokenProblem): Error {
  switch (problem.kind) {
    case 'expired':
      return invalidToken(`Token expired: ${Math.floor(Date.now() / 1000)} >= ${problem.expiresAt ?? '?'}`);
    case 'issuer':
      return invalidToken("Issuer doesn't match providerName");
    case 'signature':
      return invalidToken("Couldn't verify signed token.");
    case 'malformed':
      return invalidToken('Not a valid OpenId Connect identity token.');
  }
}

interface SigningKey {
  privateKey: KeyObject;
  /** The public half as published: kty, n, e, kid, alg, use. */
  published: Record<string, string>;
}

export class OpenIdTokens {
  /** The current key. */
  private readonly signing: SigningKey;
  private readonly published: Array<Record<string, string>>;
  private readonly verificationKeys: ReturnType<typeof createLocalJWKSet>;

  private constructor(keys: SigningKey[]) {
    this.signing = keys[0]!;
    this.published = keys.map((key) => key.published);
    this.verificationKeys = createLocalJWKSet({ keys: this.published as JWK[] });
  }

  /** `privateJwks`: the server keys' OpenID signing keys, the current one first. */
  static async fromKeys(privateJwks: JsonWebKey[]): Promise<OpenIdTokens> {
    if (privateJwks.length === 0) throw new Error('OpenID tokens need at least one signing key');
    const keys = await Promise.all(
      privateJwks.map(async (jwk) => {
        const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
        const { kty, n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
        const kid = await calculateJwkThumbprint({ kty: kty!, n: n!, e: e! });
        return { privateKey, published: { kty: kty!, n: n!, e: e!, kid, alg: ALGORITHM, use: 'sig' } };
      }),
    );
    return new OpenIdTokens(keys);
  }

  /** The body of GET /.well-known/jwks.json: every key still configured, the current one first. */
  jwks(): { keys: Array<Record<string, string>> } {
    return { keys: this.published.map((key) => ({ ...key })) };
  }

  async issue(claims: OpenIdClaims, lifetimeSeconds: number, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    const payload: Record<string, unknown> = { amr: claims.amr };
    if (claims.principalTags && Object.keys(claims.principalTags).length > 0) {
      // AWS's session-tag claim shape, so relying parties that map principal tags read it as they would AWS's.
      payload['https://aws.amazon.com/tags'] = {
        principal_tags: Object.fromEntries(Object.entries(claims.principalTags).map(([k, v]) => [k, [v]])),
      };
    }
    return new SignJWT(payload)
      .setProtectedHeader({ alg: ALGORITHM, kid: this.signing.published.kid!, typ: 'JWS' })
      .setIssuer(OPENID_ISSUER)
      .setAudience(claims.identityPoolId)
      .setSubject(claims.identityId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetimeSeconds)
      .sign(this.signing.privateKey);
  }

  /** The token's claims when it is one of ours and still good; otherwise what is wrong with it. */
  private async check(token: string): Promise<{ payload: JWTPayload } | { problem: TokenProblem }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.verificationKeys, { algorithms: [ALGORITHM], issuer: OPENID_ISSUER }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        return { problem: { kind: 'expired', expiresAt: typeof error.payload.exp === 'number' ? error.payload.exp : undefined } };
      }
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iss') return { problem: { kind: 'issuer' } };
      // No configured key by the token's kid: signed by a retired key, or by no key of ours.
      if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JWKSNoMatchingKey) {
        return { problem: { kind: 'signature' } };
      }
      return { problem: { kind: 'malformed' } };
    }
    if (typeof payload.sub !== 'string' || !Array.isArray(payload.amr) || typeof payload.exp !== 'number') return { problem: { kind: 'malformed' } };
    return { payload };
  }

  /**
   * Verifies a token presented under the `cognito-identity.amazonaws.com` login, for `identityPoolId`.
   * Throws NotAuthorizedException with AWS's wording for every way a token can be wrong.
   */
  async verify(token: string, identityPoolId: string): Promise<VerifiedOpenIdToken> {
    const checked = await this.check(token);
    if ('problem' in checked) throw cognitoIdentityRefusal(checked.problem);
    const { payload } = checked;
    const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audience.includes(identityPoolId)) throw invalidToken('Incorrect token audience.');
    return { identityPoolId, identityId: payload.sub!, amr: payload.amr as string[] };
  }

  /** Verifies a token of ours whatever its pool (its `aud`); the caller words the refusal. */
  async verifyWebIdentity(token: string): Promise<VerifiedWebIdentity | { problem: TokenProblem }> {
    const checked = await this.check(token);
    if ('problem' in checked) return checked;
    const { payload } = checked;
    const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (audience.length !== 1 || typeof audience[0] !== 'string') return { problem: { kind: 'malformed' } };
    return { identityPoolId: audience[0], identityId: payload.sub!, amr: payload.amr as string[], expiresAt: payload.exp!, claims: payload };
  }
}
