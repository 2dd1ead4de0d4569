// What every provider's verification may use: the one outbound HTTP client and the shared key caches.
import type { Logger } from 'pino';
import type { ProviderHttp } from './provider-http.ts';
import type { ProviderKeySets } from './provider-key-sets.ts';

export interface ProviderClients {
  http: ProviderHttp;
  keys: ProviderKeySets;
  logger: Logger;
}
