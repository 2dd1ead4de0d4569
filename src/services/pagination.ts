// Opaque NextToken values: the position to resume after, sealed and bound to the listing it came from,
// so a forged token or one from another listing (or another caller) is refused, and any node can
// continue a listing another node started.
import type { TokenSealer } from '../crypto/token-sealer.ts';
import { invalidParameter } from '../protocol/errors.ts';

const PURPOSE = 'pagination';

export class PageTokens {
  private readonly sealer: TokenSealer;
  constructor(sealer: TokenSealer) {
    this.sealer = sealer;
  }

  /** `listing` names what is being listed and for whom, e.g. `ListIdentityPools:<account>`. */
  issue(listing: string, after: string | undefined): string | undefined {
    return after === undefined ? undefined : this.sealer.seal(PURPOSE, { l: listing, a: after });
  }

  /** The position to resume after, or undefined for the first page. */
  resume(listing: string, token: string | undefined): string | undefined {
    if (token === undefined || token === '') return undefined;
    const payload = this.sealer.open<{ l: string; a: string }>(PURPOSE, token);
    if (!payload || payload.l !== listing) throw invalidParameter('The pagination token (NextToken) is invalid or was not issued for this request.');
    return payload.a;
  }
}
