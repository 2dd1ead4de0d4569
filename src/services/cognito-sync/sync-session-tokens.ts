// SyncSessionTokens: ListRecords hands one out, UpdateRecords must present it. A token is sealed (see
// token-sealer.ts), carries a session id, the pool, identity and dataset it was issued for, and an expiry.
// Lifetime: one hour by default (--sync-session-ttl / COGNITO_SYNC_SYNC_SESSION_TTL). AWS does not publish
// its own; clients push right after they pull (or after the user settles a conflict), so an hour covers a
// sync with room to spare, while a token found in a log goes stale the same day.
//
// A session is spent by its first successful push, as on AWS (reference: "Sync session tokens are spent by a
// push"): the store records the session id in the UpdateRecords' own transaction, so every node agrees. After
// that, ListRecords presenting one of its tokens is 400 InvalidParameterException (ListRecords' model has no
// conflict error) and UpdateRecords with one is 409 ResourceConflictException: the answer clients already treat
// as "pull, then push again", which is exactly what a spent token needs.
import { randomUUID } from 'node:crypto';
import type { TokenSealer } from '../../crypto/token-sealer.ts';
import { invalidParameter, ServiceError } from '../../protocol/errors.ts';
import type { DatasetAddress, SpendableSyncSession } from '../../store/store.ts';

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

export type OpenedSession = { status: 'valid'; sessionId: string; expiresAt: Date } | { status: 'expired'; expiredAt: Date };

export const NOT_VALID_FOR_INPUTS = 'SyncSessionToken not valid for these inputs';

/** ListRecords presenting a token of a spent session. */
export const spentOnPull = () =>
  invalidParameter(`${NOT_VALID_FOR_INPUTS}: it was spent by a successful UpdateRecords; call ListRecords without it for a new one.`);

/** UpdateRecords with a token of a spent session: the device pulls again and pushes with the new token. */
export const spentOnPush = () =>
  new ServiceError(
    'ResourceConflictException',
    'SyncSessionToken was already spent by a successful UpdateRecords; call ListRecords for a new one, then push again.',
  );

/**
 * A new session's id: the time it started (12 hex digits of epoch milliseconds, so ids sort by start), then a
 * random UUID. A push spends its session by inserting this id into the store's index of spent sessions: random
 * ids put every insert of a group commit on a different index page, ids in start order put them on its last
 * few. The id is sealed inside the token, so the start time is not disclosed.
 */
export function newSessionId(now: Date): string {
  return `${now.getTime().toString(16).padStart(12, '0')}-${randomUUID()}`;
}

export class SyncSessionTokens {
  private readonly sealer: TokenSealer;
  private readonly ttlMs: number;

  constructor(sealer: TokenSealer, ttlSeconds: number) {
    this.sealer = sealer;
    this.ttlMs = ttlSeconds * 1000;
  }

  issue(address: DatasetAddress, now: Date, sessionId: string = newSessionId(now)): string {
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
    return { status: 'valid', sessionId: payload.s, expiresAt: new Date(payload.x) };
  }

  /** For UpdateRecords: the token must be valid for these inputs and unexpired; the session it belongs to. */
  require(token: string, address: DatasetAddress, now: Date): SpendableSyncSession {
    const opened = this.open(token, address, now);
    if (opened.status === 'expired') {
      throw invalidParameter(
        `${NOT_VALID_FOR_INPUTS}: the token expired at ${opened.expiredAt.toISOString()}; call ListRecords for a new one.`,
      );
    }
    return { sessionId: opened.sessionId, expiresAt: opened.expiresAt };
  }
}
