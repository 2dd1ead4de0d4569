// The storage contract for identities and the logins linked to them.
import type { Page } from './keys-and-pools.ts';

export interface Identity {
  identityId: string;
  identityPoolId: string;
  createdAt: Date;
  lastModifiedAt: Date;
  /** Once merged by MergeDeveloperIdentities: the surviving identity, which now acts for this one. */
  mergedInto?: string;
  /** Set when the identity lost its last login: it can no longer obtain tokens or credentials. */
  disabled: boolean;
}

/** A login linked to an identity: unique per pool, provider and user identifier. */
export interface IdentityLogin {
  providerName: string;
  userIdentifier: string;
}

export interface IdentityWithLogins extends Identity {
  logins: IdentityLogin[];
}

export type LinkLoginResult = { linked: true } | { linked: false; linkedTo: string };

export interface IdentityStore {
  createIdentity(identity: Identity): Promise<void>;
  /** One indexed lookup by id; merged identities are returned too (with `mergedInto`). */
  getIdentity(identityId: string): Promise<Identity | undefined>;
  getIdentityLogins(identityId: string): Promise<IdentityLogin[]>;
  /** The identity the login is linked to in the pool, if any. */
  findIdentityByLogin(identityPoolId: string, login: IdentityLogin): Promise<string | undefined>;
  /**
   * Returns the identity linked to `login` in the pool, or creates `candidate` and links the login to it,
   * atomically: two racing first logins of one user end with one identity.
   */
  findOrCreateIdentityForLogin(identityPoolId: string, login: IdentityLogin, candidate: Identity): Promise<{ identityId: string; created: boolean }>;
  /**
   * Links `login` to the identity (re-enabling it). A login already linked elsewhere in the pool is left alone
   * and its identity reported.
   */
  linkLogin(identityId: string, login: IdentityLogin, now: Date): Promise<LinkLoginResult>;
  /** Removes the link; an identity left without logins becomes disabled. False when it was not linked. */
  unlinkLogin(identityId: string, login: IdentityLogin, now: Date): Promise<boolean>;
  /** A pool's identities (not the merged-away ones) ordered by id, starting after `after`. */
  listIdentities(identityPoolId: string, limit: number, options: { after?: string; hideDisabled?: boolean }): Promise<Page<IdentityWithLogins>>;
  /** The identity's user identifiers for one provider, ordered, starting after `after`. */
  listLoginUserIdentifiers(identityId: string, providerName: string, limit: number, after?: string): Promise<Page<string>>;
  /** Deletes the identities (with their logins and whatever was merged into them); returns the ids deleted. */
  deleteIdentities(identityIds: string[]): Promise<string[]>;
  /**
   * Merges `fromIdentityId` into `toIdentityId` (both in one pool, else it throws), in one transaction: moves its
   * datasets (each under the survivor as `<name>.<fromIdentityId>`, records and counts intact, listed in the
   * survivor's MergedDatasetNames for `<name>`; they count toward its dataset quota, and the move is never
   * refused) and its logins, marks it merged, and re-points identities previously merged into it, so a merge
   * chain always resolves in one step. This is the whole merge: call it alone (MergeDeveloperIdentities does); a
   * write by the source can then never strand a dataset under it.
   */
  mergeIdentities(fromIdentityId: string, toIdentityId: string, now: Date): Promise<void>;
}
