// The one override for every outbound call a login provider needs (`--login-provider-endpoint <provider>=<base URL>`,
// COGNITO_SYNC_LOGIN_PROVIDER_ENDPOINTS): tests, mirrors and air-gapped sites send a provider's discovery, key and
// API calls to another base URL. The real path is kept, so one stand-in or mirror answers as the provider would;
// tokens keep their real issuer, so nothing else changes.
//
// `<provider>` is the Logins key (`accounts.google.com`, `graph.facebook.com`, an OIDC issuer host/path), except for
// user pools: there it is the host alone (`cognito-idp.us-east-1.amazonaws.com`), the pool id staying in the path.

export type ProviderEndpoints = ReadonlyMap<string, URL>;

/** Parses `<provider>=<base URL>` entries; throws an Error naming the bad entry. */
export function parseProviderEndpoints(entries: string[]): ProviderEndpoints {
  const endpoints = new Map<string, URL>();
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const provider = at === -1 ? '' : entry.slice(0, at).trim();
    const base = at === -1 ? '' : entry.slice(at + 1).trim();
    if (provider === '' || base === '') throw new Error(`login-provider-endpoint must be <provider>=<base URL>, got '${entry}'`);
    if (/^[a-z]+:\/\//i.test(provider)) {
      throw new Error(`login-provider-endpoint: name the provider as its Logins key, without a scheme (e.g. accounts.google.com), got '${provider}'`);
    }
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new Error(`login-provider-endpoint for '${provider}': '${base}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`login-provider-endpoint for '${provider}' must be an http:// or https:// URL, got '${base}'`);
    }
    if (url.search !== '' || url.hash !== '') throw new Error(`login-provider-endpoint for '${provider}' must not carry a query or fragment, got '${base}'`);
    if (endpoints.has(provider)) throw new Error(`login-provider-endpoint for '${provider}' is given twice`);
    endpoints.set(provider, url);
  }
  return endpoints;
}

/** Where a call to `url` (as the provider publishes it) goes: the override's base with the real path and query. */
export function resolveProviderUrl(endpoints: ProviderEndpoints, provider: string, url: string): URL {
  const real = new URL(url);
  const base = endpoints.get(provider);
  if (!base) return real;
  return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${real.pathname}${real.search}`);
}
