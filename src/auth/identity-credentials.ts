// Temporary credentials for Cognito identities (GetCredentialsForIdentity, STS AssumeRoleWithWebIdentity), verifiable by any node:
// the session token is sealed (authenticated encryption) and carries who the credentials act for and until
// when; the secret key is an HMAC of the access key id and session token under a server key (the one whose key
// sealed the token: keys rotate together, see crypto/server-keys.ts), so a node re-derives it from the request
// itself. Nothing about issued credentials is stored.
//
// The one store read per request is the identity's row (by primary key): it is what makes a deleted
// identity's credentials stop working at once, and what lets a merged identity's credentials act for the
// identity it was merged into.
import { createHmac, createSecretKey, type KeyObject, randomInt } from 'node:crypto';
import type { TokenSealer } from '../crypto/token-sealer.ts';
import { ServiceError } from '../protocol/errors.ts';
import type { Identity, IdentityStore } from '../store/store.ts';
import { type TemporaryCredentialResolver, unrecognizedClient } from './credential-resolver.ts';
import type { SigningIdentity } from './principal.ts';

const PURPOSE = 'identity-credentials';
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface SessionPayload {
  accessKeyId: string;
  identityId: string;
  identityPoolId: string;
  accountId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Exactly GetCredentialsForIdentity's `Credentials` member. */
export interface IssuedCredentials {
  AccessKeyId: string;
  SecretKey: string;
  SessionToken: string;
  Expiration: Date;
}

export interface CredentialSubject {
  identityId: string;
  identityPoolId: string;
  accountId: string;
}

export const expiredToken = () =>
  new ServiceError('ExpiredTokenException', 'The security token included in the request is expired');

const noLongerValid = (reason: string) =>
  new ServiceError('UnrecognizedClientException', `The security token included in the request is invalid: ${reason}.`);

export class IdentityCredentials implements TemporaryCredentialResolver {
  private readonly sealer: TokenSealer;
  /** By server key id. KeyObjects: createHmac given a byte key probes it with two thrown exceptions on every call. */
  private readonly signingKeys: Map<number, KeyObject>;
  private readonly identities: Pick<IdentityStore, 'getIdentity'>;
  private readonly ttlSeconds: number;

  /** `signingKeys`: by server key id, what the secret keys are derived under, shared by every node. */
  constructor(options: { sealer: TokenSealer; signingKeys: Map<number, string>; identities: Pick<IdentityStore, 'getIdentity'>; ttlSeconds: number }) {
    this.sealer = options.sealer;
    this.signingKeys = new Map([...options.signingKeys].map(([id, secret]) => [id, createSecretKey(Buffer.from(secret, 'base64url'))]));
    if (!this.signingKeys.has(this.sealer.currentKeyId)) throw new Error(`no credentials signing secret for server key ${this.sealer.currentKeyId}`);
    this.identities = options.identities;
    this.ttlSeconds = options.ttlSeconds;
  }

  private secretFor(keyId: number, accessKeyId: string, sessionToken: string): string | undefined {
    const key = this.signingKeys.get(keyId);
    return key && createHmac('sha256', key).update(`${accessKeyId}\n${sessionToken}`).digest('base64').replace(/=+$/, '');
  }

  /** `lifetimeSeconds`: the server's `--credentials-ttl` unless the caller asked for another (STS DurationSeconds). */
  issue(subject: CredentialSubject, now: Date, lifetimeSeconds = this.ttlSeconds): IssuedCredentials {
    let accessKeyId = 'ASIA';
    for (let i = 0; i < 16; i++) accessKeyId += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
    const expiresAt = now.getTime() + lifetimeSeconds * 1000;
    const payload: SessionPayload = { accessKeyId, ...subject, expiresAt };
    const sessionToken = this.sealer.seal(PURPOSE, payload);
    const secretKey = this.secretFor(this.sealer.currentKeyId, accessKeyId, sessionToken)!;
    return { AccessKeyId: accessKeyId, SecretKey: secretKey, SessionToken: sessionToken, Expiration: new Date(expiresAt) };
  }

  async resolve(accessKeyId: string, sessionToken: string): Promise<SigningIdentity> {
    const opened = this.sealer.openWithKeyId<SessionPayload>(PURPOSE, sessionToken);
    const payload = opened?.payload;
    const secretAccessKey = opened && this.secretFor(opened.keyId, accessKeyId, sessionToken);
    // A token we did not seal (or sealed with a retired key), or one sealed for other credentials, is as
    // unknown as a foreign key.
    if (!payload || secretAccessKey === undefined || payload.accessKeyId !== accessKeyId) throw unrecognizedClient();
    if (payload.expiresAt <= Date.now()) throw expiredToken();
    const survivor = await this.actingIdentity(payload);
    return {
      secretAccessKey,
      principal: {
        kind: 'identity',
        accountId: payload.accountId,
        accessKeyId,
        identityPoolId: survivor.identityPoolId,
        identityId: survivor.identityId,
      },
    };
  }

  /** The identity the credentials act for now: their own, or the one it was merged into. */
  private async actingIdentity(payload: SessionPayload): Promise<Identity> {
    let identity = await this.identities.getIdentity(payload.identityId);
    if (identity?.mergedInto !== undefined) identity = await this.identities.getIdentity(identity.mergedInto);
    if (!identity || identity.identityPoolId !== payload.identityPoolId) throw noLongerValid('the identity it was issued to no longer exists');
    if (identity.disabled) throw noLongerValid('the identity it was issued to is disabled');
    return identity;
  }
}
