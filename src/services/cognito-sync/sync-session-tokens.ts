// SyncSessionTokens: ListRecords hands one out, UpdateRecords must present it. A token is sealed (see
// token-sealer.ts), carries a session id, the pool, identity and dataset it was issued for, and an expiry.
// Lifetime: one hour by default (--sync-session-ttl / COGNITO_SYNC_SYNC_SESSION_TTL). AWS does not publish
// its own; clients push right after they pull (or after the user settles a conflict), so an hour covers a
// sync with room to spare, while a token found in a log goes stale the same day. A token is not spent by use:
// a stale one can only write what the per-record SyncCount check lets through, so single use would buy nothing.
import { randomUUID } from 'node:crypto';
import type { TokenSealer } from '../../crypto/token-sealer.ts';
import { invalidParameter } from '../../protocol/errors.ts';
import type { DatasetAddress } from '../../store/store.ts';

const PURPOSE = 'sync-session';

interface SessionPayload {
  /** session id */
  s: string;
  p: string;
  i: string;
  d: string;
  /** expiry, epoch milliseconds */
  x: number;
}

export type OpenedSession = { status: 'valid'; sessionId: string } | { status: 'expired'; expiredAt: Date };

export const NOT_VALID_FOR_INPUTS = 'SyncSessionToken not valid for these inputs';

export class SyncSessionTokens {
  private readonly sealer: TokenSealer;
  private readonly ttlMs: number;

  constructor(sealer: TokenSealer, ttlSeconds: number) {
    this.sealer = sealer;
    this.ttlMs = ttlSeconds * 1000;
  }

  issue(address: DatasetAddress, now: Date, sessionId: string = randomUUID()): string {
    const payload: SessionPayload = {
      s: sessionId,
      p: address.identityPoolId,
      i: address.identityId,
      d: address.datasetName,
      x: now.getTime() + this.ttlMs,
    };
    return this.sealer.seal(PURPOSE, payload);
  }

  /** Throws InvalidParameterException for a token we did not issue, or issued for another identity or dataset. */
  open(token: string, address: DatasetAddress, now: Date): OpenedSession {
    const payload = this.sealer.open<SessionPayload>(PURPOSE, token);
    if (!payload || typeof payload.s !== 'string' || typeof payload.x !== 'number') {
      throw invalidParameter(`${NOT_VALID_FOR_INPUTS}: the token is malformed or was not issued by this server.`);
    }
    if (payload.p !== address.identityPoolId || payload.i !== address.identityId || payload.d !== address.datasetName) {
      throw invalidParameter(NOT_VALID_FOR_INPUTS);
    }
    if (payload.x <= now.getTime()) return { status: 'expired', expiredAt: new Date(payload.x) };
    return { status: 'valid', sessionId: payload.s };
  }

  /** For UpdateRecords: the token must be valid for these inputs and unexpired. */
  require(token: string, address: DatasetAddress, now: Date): string {
    const opened = this.open(token, address, now);
    if (opened.status === 'expired') {
      throw invalidParameter(
        `${NOT_VALID_FOR_INPUTS}: the token expired at ${opened.expiredAt.toISOString()}; call ListRecords for a new one.`,
      );
    }
    return opened.sessionId;
  }
}
