// Every provider's keys, one cache per key set, shared by all pools that trust the provider.
import type { JSONWebKeySet } from 'jose';
import type { ProviderHttp } from './provider-http.ts';
import { RemoteKeySet } from './remote-key-set.ts';

export class ProviderKeySets {
  private readonly http: ProviderHttp;
  private readonly cooldownMs: number;
  private readonly sets = new Map<string, RemoteKeySet>();

  constructor(http: ProviderHttp, cooldownMs: number) {
    this.http = http;
    this.cooldownMs = cooldownMs;
  }

  /** Keys published at a known JWKS URL (user pools, Apple). */
  atJwksUrl(provider: string, jwksUrl: string): RemoteKeySet {
    return this.cached(`jwks ${provider} ${jwksUrl}`, () => this.fetchJwks(provider, jwksUrl));
  }

  /** Keys an OpenID Connect issuer names in its discovery document (Google, OIDC providers). */
  ofIssuer(provider: string, issuer: string): RemoteKeySet {
    return this.cached(`issuer ${provider} ${issuer}`, async () => {
      const discovery = await this.http.getDocument(provider, `${issuer}/.well-known/openid-configuration`, (doc) => {
        if (doc.issuer !== issuer) return `the discovery document names issuer '${String(doc.issuer)}', not '${issuer}'`;
        if (typeof doc.jwks_uri !== 'string' || !URL.canParse(doc.jwks_uri)) return 'the discovery document has no jwks_uri URL';
        return undefined;
      });
      return this.fetchJwks(provider, discovery.jwks_uri as string);
    });
  }

  private cached(key: string, load: () => Promise<JSONWebKeySet>): RemoteKeySet {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new RemoteKeySet(load, this.cooldownMs)));
    return set;
  }

  private async fetchJwks(provider: string, url: string): Promise<JSONWebKeySet> {
    const document = await this.http.getDocument(provider, url, (doc) =>
      Array.isArray(doc.keys) && doc.keys.every((k) => typeof k === 'object' && k !== null) ? undefined : 'the key set has no "keys" array',
    );
    return document as unknown as JSONWebKeySet;
  }
}
