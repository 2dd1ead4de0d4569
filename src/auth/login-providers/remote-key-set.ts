// A provider's signing keys (its JWKS), fetched on first use and cached. A token whose key id is not in the cache
// triggers one refetch (a provider rotating keys publishes the new one first), but at most one per cool-down
// period: a flood of tokens with made-up key ids cannot turn into a flood of calls to the provider. Concurrent
// verifications share one fetch in flight.
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';

/** Keys are refetched after this long in any case, so a key the provider withdrew stops being accepted. */
const MAX_KEY_AGE_MS = 60 * 60 * 1000;

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;
export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => ReturnType<LocalKeySet>;

export class RemoteKeySet {
  private readonly load: () => Promise<JSONWebKeySet>;
  private readonly cooldownMs: number;
  private local: LocalKeySet | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;

  /**
   * `load` fetches and checks the JWKS through the provider client; its errors (ExternalServiceException) are the
   * provider's failures and reach the caller when no usable keys are cached.
   */
  constructor(load: () => Promise<JSONWebKeySet>, cooldownMs: number) {
    this.load = load;
    this.cooldownMs = cooldownMs;
  }

  private coolingDown(): boolean {
    return Date.now() - this.attemptedAt < this.cooldownMs;
  }

  /** The resolver jose calls with the token's header. */
  readonly resolve: KeyResolver = async (header, token) => {
    if (!this.local) await this.reload();
    else if (Date.now() - this.fetchedAt >= MAX_KEY_AGE_MS && !this.coolingDown()) {
      // Stale keys keep serving while the provider is down; the next attempt waits for the cool-down.
      await this.reload().catch(() => undefined);
    }
    try {
      return await this.local!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || this.coolingDown()) throw error;
      await this.reload();
      return this.local!(header, token);
    }
  };

  private reload(): Promise<void> {
    this.pending ??= (async () => {
      this.attemptedAt = Date.now();
      try {
        this.local = createLocalJWKSet(await this.load());
        this.fetchedAt = Date.now();
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }
}
