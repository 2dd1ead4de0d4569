// A stand-in for the hosts that issue JWT logins: Google, Apple, Cognito user pools and any OpenID Connect
// provider. One host serves one or more issuers, each with its RSA signing keys, its JWKS (at the real path), and
// for those that have one, its discovery document (`/.well-known/openid-configuration`, naming its `jwks_uri` with
// the real host, as the provider publishes it). Keys rotate as providers rotate them: the new key is published
// beside the old one and signs from then on.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { type StandInAnswer, type StandInRequest, StandInServer } from './stand-in-server.ts';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export class TestIssuer {
  /** The real issuer (`iss`), e.g. https://accounts.google.com. */
  readonly issuer: string;
  /** Path of the JWKS on the host. */
  readonly jwksPath: string;
  private keys: SigningKey[];

  constructor(issuer: string, jwksPath: string, key: SigningKey) {
    this.issuer = issuer;
    this.jwksPath = jwksPath;
    this.keys = [key];
  }

  get currentKid(): string {
    return this.keys.at(-1)!.kid;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /** A new key is published beside the old ones and signs every token from now on. */
  async rotate(): Promise<void> {
    this.keys.push(await newSigningKey());
  }

  /**
   * A token for `sub`: this issuer, audience `aud`, issued now, valid one hour, unless the claims say otherwise.
   * `signedBy: 'stranger'` signs with a key this issuer never published, under the current key id.
   */
  async token(claims: JWTPayload & { sub: string; aud: string | string[] }, options: { signedBy?: 'issuer' | 'stranger'; kid?: string } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const key = this.keys.at(-1)!;
    const signingKey = options.signedBy === 'stranger' ? (await newSigningKey()).privateKey : key.privateKey;
    return new SignJWT({ iss: this.issuer, iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
      .sign(signingKey);
  }
}

export class OidcIssuerHost extends StandInServer {
  private readonly issuers: TestIssuer[] = [];
  private readonly discovery = new Map<string, { issuer: TestIssuer; jwksUri: string }>();

  /**
   * Serves `issuer` here. `jwksUrl` is the JWKS as the provider publishes it (its path is served here); with
   * `discovery`, the discovery document at the issuer's path names it.
   */
  async addIssuer(issuer: string, jwksUrl: string, options: { discovery: boolean }): Promise<TestIssuer> {
    const added = new TestIssuer(issuer, new URL(jwksUrl).pathname, await newSigningKey());
    this.issuers.push(added);
    if (options.discovery) {
      this.discovery.set(`${new URL(issuer).pathname.replace(/\/$/, '')}/.well-known/openid-configuration`, { issuer: added, jwksUri: jwksUrl });
    }
    return added;
  }

  protected answer(request: StandInRequest): StandInAnswer {
    const discovered = this.discovery.get(request.path);
    if (discovered) {
      return {
        status: 200,
        body: {
          issuer: discovered.issuer.issuer,
          jwks_uri: discovered.jwksUri,
          id_token_signing_alg_values_supported: ['RS256'],
          subject_types_supported: ['public'],
          response_types_supported: ['id_token'],
        },
      };
    }
    const issuer = this.issuers.find((i) => i.jwksPath === request.path);
    if (issuer) return { status: 200, body: issuer.jwks() };
    return { status: 404, body: { error: 'not_found' } };
  }
}
