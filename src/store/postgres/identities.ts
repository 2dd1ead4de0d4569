// Cognito identities and the logins (developer user identifiers) linked to them. Changes to one identity
// lock its row first (`FOR UPDATE`), so concurrent link/unlink/merge calls on any node apply one by one.
import type pg from 'pg';
import type { Identity, IdentityLogin, IdentityWithLogins, LinkLoginResult, Page } from '../store.ts';
import { inTransaction, type Queryable } from './database.ts';

// Named columns, not `*`: see DATASET_COLUMNS in dataset-rows.ts.
const IDENTITY_COLUMNS = 'identity_id, identity_pool_id, created_at, last_modified_at, merged_into, disabled';

interface IdentityRow {
  identity_id: string;
  identity_pool_id: string;
  created_at: Date;
  last_modified_at: Date;
  merged_into: string | null;
  disabled: boolean;
}

const toIdentity = (row: IdentityRow): Identity => ({
  identityId: row.identity_id,
  identityPoolId: row.identity_pool_id,
  createdAt: row.created_at,
  lastModifiedAt: row.last_modified_at,
  mergedInto: row.merged_into ?? undefined,
  disabled: row.disabled,
});

async function insertIdentity(db: Queryable, identity: Identity): Promise<void> {
  await db.query(
    'INSERT INTO identities (identity_id, identity_pool_id, created_at, last_modified_at, merged_into, disabled) VALUES ($1, $2, $3, $4, $5, $6)',
    [identity.identityId, identity.identityPoolId, identity.createdAt, identity.lastModifiedAt, identity.mergedInto ?? null, identity.disabled],
  );
}

export function createIdentity(db: Queryable, identity: Identity): Promise<void> {
  return insertIdentity(db, identity);
}

async function readIdentity(db: Queryable, identityId: string, forUpdate = false): Promise<Identity | undefined> {
  const row = (await db.query<IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM identities WHERE identity_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [identityId])).rows[0];
  return row && toIdentity(row);
}

export function getIdentity(db: Queryable, identityId: string): Promise<Identity | undefined> {
  return readIdentity(db, identityId);
}

export async function getIdentityLogins(db: Queryable, identityId: string): Promise<IdentityLogin[]> {
  const rows = (
    await db.query<{ provider_name: string; user_identifier: string }>(
      'SELECT provider_name, user_identifier FROM identity_logins WHERE identity_id = $1 ORDER BY provider_name, user_identifier',
      [identityId],
    )
  ).rows;
  return rows.map((r) => ({ providerName: r.provider_name, userIdentifier: r.user_identifier }));
}

async function loginOwner(db: Queryable, identityPoolId: string, login: IdentityLogin): Promise<string | undefined> {
  const row = (
    await db.query<{ identity_id: string }>(
      'SELECT identity_id FROM identity_logins WHERE identity_pool_id = $1 AND provider_name = $2 AND user_identifier = $3',
      [identityPoolId, login.providerName, login.userIdentifier],
    )
  ).rows[0];
  return row?.identity_id;
}

export function findIdentityByLogin(db: Queryable, identityPoolId: string, login: IdentityLogin): Promise<string | undefined> {
  return loginOwner(db, identityPoolId, login);
}

/** True when this call linked the login; false when another transaction holds it (it waits for that one to end). */
async function insertLoginIfFree(db: Queryable, identityPoolId: string, identityId: string, login: IdentityLogin, now: Date): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO identity_logins (identity_pool_id, provider_name, user_identifier, identity_id, linked_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [identityPoolId, login.providerName, login.userIdentifier, identityId, now],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Two first logins of one user racing on two nodes both insert a candidate; the login's primary key lets
 * only one link. The loser drops its candidate in the same transaction and answers with the winner.
 */
export function findOrCreateIdentityForLogin(
  db: pg.Pool,
  identityPoolId: string,
  login: IdentityLogin,
  candidate: Identity,
): Promise<{ identityId: string; created: boolean }> {
  return inTransaction(db, async (client) => {
    const existing = await loginOwner(client, identityPoolId, login);
    if (existing !== undefined) return { identityId: existing, created: false };
    await insertIdentity(client, candidate);
    if (await insertLoginIfFree(client, identityPoolId, candidate.identityId, login, candidate.createdAt)) {
      return { identityId: candidate.identityId, created: true };
    }
    await client.query('DELETE FROM identities WHERE identity_id = $1', [candidate.identityId]);
    const winner = await loginOwner(client, identityPoolId, login);
    if (winner === undefined) throw Object.assign(new Error('login owner vanished; retry'), { code: '40001' });
    return { identityId: winner, created: false };
  });
}

export function linkLogin(db: pg.Pool, identityId: string, login: IdentityLogin, now: Date): Promise<LinkLoginResult> {
  return inTransaction(db, async (client) => {
    const identity = await readIdentity(client, identityId, true);
    if (!identity) throw new Error(`identity ${identityId} does not exist`);
    const owner = await loginOwner(client, identity.identityPoolId, login);
    if (owner === identityId) return { linked: true };
    if (owner !== undefined) return { linked: false, linkedTo: owner };
    if (!(await insertLoginIfFree(client, identity.identityPoolId, identityId, login, now))) {
      const winner = await loginOwner(client, identity.identityPoolId, login);
      if (winner === identityId) return { linked: true };
      if (winner !== undefined) return { linked: false, linkedTo: winner };
      throw Object.assign(new Error('login owner vanished; retry'), { code: '40001' });
    }
    await client.query('UPDATE identities SET last_modified_at = $1, disabled = false WHERE identity_id = $2', [now, identityId]);
    return { linked: true };
  });
}

export function unlinkLogin(db: pg.Pool, identityId: string, login: IdentityLogin, now: Date): Promise<boolean> {
  return inTransaction(db, async (client) => {
    // Locked first so two unlinks of the identity's last two logins cannot both see one left.
    if (!(await readIdentity(client, identityId, true))) return false;
    const removed = await client.query('DELETE FROM identity_logins WHERE identity_id = $1 AND provider_name = $2 AND user_identifier = $3', [
      identityId,
      login.providerName,
      login.userIdentifier,
    ]);
    if ((removed.rowCount ?? 0) === 0) return false;
    await client.query(
      `UPDATE identities SET last_modified_at = $1,
         disabled = NOT EXISTS (SELECT 1 FROM identity_logins WHERE identity_id = $2)
       WHERE identity_id = $2`,
      [now, identityId],
    );
    return true;
  });
}

export async function listIdentities(
  db: Queryable,
  identityPoolId: string,
  limit: number,
  options: { after?: string; hideDisabled?: boolean },
): Promise<Page<IdentityWithLogins>> {
  // One statement, so the identities and their logins come from one snapshot.
  const rows = (
    await db.query<IdentityRow & { logins: IdentityLogin[] }>(
      `SELECT ${IDENTITY_COLUMNS.split(', ').map((c) => `i.${c}`).join(', ')}, COALESCE((
           SELECT json_agg(json_build_object('providerName', l.provider_name, 'userIdentifier', l.user_identifier)
                           ORDER BY l.provider_name, l.user_identifier)
           FROM identity_logins l WHERE l.identity_id = i.identity_id), '[]'::json) AS logins
       FROM identities i
       WHERE i.identity_pool_id = $1 AND i.identity_id > $2 AND i.merged_into IS NULL ${options.hideDisabled ? 'AND NOT i.disabled' : ''}
       ORDER BY i.identity_id LIMIT $3`,
      [identityPoolId, options.after ?? '', limit + 1],
    )
  ).rows;
  const items = rows.slice(0, limit).map((row) => ({ ...toIdentity(row), logins: row.logins }));
  return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityId : undefined };
}

export async function listLoginUserIdentifiers(db: Queryable, identityId: string, providerName: string, limit: number, after = ''): Promise<Page<string>> {
  const rows = (
    await db.query<{ user_identifier: string }>(
      `SELECT user_identifier FROM identity_logins WHERE identity_id = $1 AND provider_name = $2 AND user_identifier > $3
       ORDER BY user_identifier LIMIT $4`,
      [identityId, providerName, after, limit + 1],
    )
  ).rows;
  const items = rows.slice(0, limit).map((r) => r.user_identifier);
  return { items, nextAfter: rows.length > limit ? items.at(-1) : undefined };
}

export function deleteIdentities(db: pg.Pool, identityIds: string[]): Promise<string[]> {
  return inTransaction(db, async (client) => {
    const deleted: string[] = [];
    // One by one, in the caller's order: an identity merged into one deleted earlier is already gone (ON
    // DELETE CASCADE) and so is not reported twice.
    for (const id of identityIds) {
      if (((await client.query('DELETE FROM identities WHERE identity_id = $1', [id])).rowCount ?? 0) > 0) deleted.push(id);
    }
    return deleted;
  });
}

export function mergeIdentities(db: pg.Pool, fromIdentityId: string, toIdentityId: string, now: Date): Promise<void> {
  return inTransaction(db, async (client) => {
    // Both rows locked in id order, so two merges touching the same pair cannot deadlock.
    await client.query('SELECT 1 FROM identities WHERE identity_id = ANY($1) ORDER BY identity_id FOR UPDATE', [[fromIdentityId, toIdentityId]]);
    await client.query('UPDATE identity_logins SET identity_id = $1 WHERE identity_id = $2', [toIdentityId, fromIdentityId]);
    await client.query('UPDATE identities SET merged_into = $1, last_modified_at = $2 WHERE merged_into = $3', [toIdentityId, now, fromIdentityId]);
    await client.query('UPDATE identities SET merged_into = $1, last_modified_at = $2 WHERE identity_id = $3', [toIdentityId, now, fromIdentityId]);
    await client.query('UPDATE identities SET last_modified_at = $1, disabled = false WHERE identity_id = $2', [now, toIdentityId]);
  });
}
