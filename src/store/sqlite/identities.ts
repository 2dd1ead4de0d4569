// Cognito identities and the logins (developer user identifiers) linked to them.
import type { Identity, IdentityLogin, IdentityWithLogins, LinkLoginResult, Page } from '../store.ts';
import { type Db, inTransaction } from './database.ts';

interface IdentityRow {
  identity_id: string;
  identity_pool_id: string;
  created_at: number;
  last_modified_at: number;
  merged_into: string | null;
  disabled: number;
}

interface LoginRow {
  provider_name: string;
  user_identifier: string;
}

const toIdentity = (row: IdentityRow): Identity => ({
  identityId: row.identity_id,
  identityPoolId: row.identity_pool_id,
  createdAt: new Date(row.created_at),
  lastModifiedAt: new Date(row.last_modified_at),
  mergedInto: row.merged_into ?? undefined,
  disabled: row.disabled !== 0,
});

function insertIdentity(db: Db, identity: Identity): void {
  db.prepare(
    'INSERT INTO identities (identity_id, identity_pool_id, created_at, last_modified_at, merged_into, disabled) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    identity.identityId,
    identity.identityPoolId,
    identity.createdAt.getTime(),
    identity.lastModifiedAt.getTime(),
    identity.mergedInto ?? null,
    identity.disabled ? 1 : 0,
  );
}

export function createIdentity(db: Db, identity: Identity): void {
  insertIdentity(db, identity);
}

export function getIdentity(db: Db, identityId: string): Identity | undefined {
  const row = db.prepare('SELECT * FROM identities WHERE identity_id = ?').get(identityId) as IdentityRow | undefined;
  return row && toIdentity(row);
}

function readLogins(db: Db, identityId: string): IdentityLogin[] {
  const rows = db
    .prepare('SELECT provider_name, user_identifier FROM identity_logins WHERE identity_id = ? ORDER BY provider_name, user_identifier')
    .all(identityId) as unknown as LoginRow[];
  return rows.map((r) => ({ providerName: r.provider_name, userIdentifier: r.user_identifier }));
}

export function getIdentityLogins(db: Db, identityId: string): IdentityLogin[] {
  return readLogins(db, identityId);
}

function loginOwner(db: Db, identityPoolId: string, login: IdentityLogin): string | undefined {
  const row = db
    .prepare('SELECT identity_id FROM identity_logins WHERE identity_pool_id = ? AND provider_name = ? AND user_identifier = ?')
    .get(identityPoolId, login.providerName, login.userIdentifier) as { identity_id: string } | undefined;
  return row?.identity_id;
}

export function findIdentityByLogin(db: Db, identityPoolId: string, login: IdentityLogin): string | undefined {
  return loginOwner(db, identityPoolId, login);
}

function insertLogin(db: Db, identityPoolId: string, identityId: string, login: IdentityLogin, now: Date): void {
  db.prepare(
    'INSERT INTO identity_logins (identity_pool_id, provider_name, user_identifier, identity_id, linked_at) VALUES (?, ?, ?, ?, ?)',
  ).run(identityPoolId, login.providerName, login.userIdentifier, identityId, now.getTime());
}

export function findOrCreateIdentityForLogin(
  db: Db,
  identityPoolId: string,
  login: IdentityLogin,
  candidate: Identity,
): { identityId: string; created: boolean } {
  return inTransaction(db, () => {
    const existing = loginOwner(db, identityPoolId, login);
    if (existing !== undefined) return { identityId: existing, created: false };
    insertIdentity(db, candidate);
    insertLogin(db, identityPoolId, candidate.identityId, login, candidate.createdAt);
    return { identityId: candidate.identityId, created: true };
  });
}

export function linkLogin(db: Db, identityId: string, login: IdentityLogin, now: Date): LinkLoginResult {
  return inTransaction(db, () => {
    const identity = getIdentity(db, identityId);
    if (!identity) throw new Error(`identity ${identityId} does not exist`);
    const owner = loginOwner(db, identity.identityPoolId, login);
    if (owner === identityId) return { linked: true };
    if (owner !== undefined) return { linked: false, linkedTo: owner };
    insertLogin(db, identity.identityPoolId, identityId, login, now);
    db.prepare('UPDATE identities SET last_modified_at = ?, disabled = 0 WHERE identity_id = ?').run(now.getTime(), identityId);
    return { linked: true };
  });
}

export function unlinkLogin(db: Db, identityId: string, login: IdentityLogin, now: Date): boolean {
  return inTransaction(db, () => {
    const removed = db
      .prepare('DELETE FROM identity_logins WHERE identity_id = ? AND provider_name = ? AND user_identifier = ?')
      .run(identityId, login.providerName, login.userIdentifier).changes > 0;
    if (!removed) return false;
    const left = (db.prepare('SELECT count(*) AS n FROM identity_logins WHERE identity_id = ?').get(identityId) as { n: number }).n;
    db.prepare('UPDATE identities SET last_modified_at = ?, disabled = ? WHERE identity_id = ?').run(now.getTime(), left === 0 ? 1 : 0, identityId);
    return true;
  });
}

export function listIdentities(
  db: Db,
  identityPoolId: string,
  limit: number,
  options: { after?: string; hideDisabled?: boolean },
): Page<IdentityWithLogins> {
  // One read transaction so the identities and their logins come from one snapshot.
  db.exec('BEGIN');
  try {
    const rows = db
      .prepare(
        `SELECT * FROM identities WHERE identity_pool_id = ? AND identity_id > ? AND merged_into IS NULL
         ${options.hideDisabled ? 'AND disabled = 0' : ''} ORDER BY identity_id LIMIT ?`,
      )
      .all(identityPoolId, options.after ?? '', limit + 1) as unknown as IdentityRow[];
    const items = rows.slice(0, limit).map((row) => ({ ...toIdentity(row), logins: readLogins(db, row.identity_id) }));
    return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityId : undefined };
  } finally {
    db.exec('COMMIT');
  }
}

export function listLoginUserIdentifiers(db: Db, identityId: string, providerName: string, limit: number, after = ''): Page<string> {
  const rows = db
    .prepare(
      `SELECT user_identifier FROM identity_logins WHERE identity_id = ? AND provider_name = ? AND user_identifier > ?
       ORDER BY user_identifier LIMIT ?`,
    )
    .all(identityId, providerName, after, limit + 1) as unknown as Array<{ user_identifier: string }>;
  const items = rows.slice(0, limit).map((r) => r.user_identifier);
  return { items, nextAfter: rows.length > limit ? items.at(-1) : undefined };
}

export function deleteIdentities(db: Db, identityIds: string[]): string[] {
  return inTransaction(db, () => {
    const remove = db.prepare('DELETE FROM identities WHERE identity_id = ?');
    // Logins and identities merged into a deleted one go by ON DELETE CASCADE.
    return identityIds.filter((id) => remove.run(id).changes > 0);
  });
}

export function mergeIdentities(db: Db, fromIdentityId: string, toIdentityId: string, now: Date): void {
  inTransaction(db, () => {
    const at = now.getTime();
    db.prepare('UPDATE identity_logins SET identity_id = ? WHERE identity_id = ?').run(toIdentityId, fromIdentityId);
    db.prepare('UPDATE identities SET merged_into = ?, last_modified_at = ? WHERE merged_into = ?').run(toIdentityId, at, fromIdentityId);
    db.prepare('UPDATE identities SET merged_into = ?, last_modified_at = ? WHERE identity_id = ?').run(toIdentityId, at, fromIdentityId);
    db.prepare('UPDATE identities SET last_modified_at = ?, disabled = 0 WHERE identity_id = ?').run(at, toIdentityId);
  });
}
