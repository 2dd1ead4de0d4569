// Cognito identities and the logins (developer user identifiers) linked to them. Changes to one identity lock
// its row first (`forUpdate`, PostgreSQL), so concurrent link/unlink/merge calls on any node apply one by one.
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { asBoolean, asDate } from '../sql/row-values.ts';
import { anyOf, empty, forUpdate, sql } from '../sql/sql.ts';
import type { Identity, IdentityLogin, IdentityWithLogins, LinkLoginResult, Page } from '../store.ts';
import { lockMergingIdentities, moveDatasetsOfMergedIdentity } from './datasets.ts';

// Named columns, not `*`: see DATASET_COLUMNS in dataset-rows.ts.
const IDENTITY_COLUMNS = sql`identity_id, identity_pool_id, created_at, last_modified_at, merged_into, disabled`;

interface IdentityRow {
  identity_id: string;
  identity_pool_id: string;
  created_at: number | Date;
  last_modified_at: number | Date;
  merged_into: string | null;
  disabled: number | boolean;
}

interface LoginRow {
  identity_id: string;
  provider_name: string;
  user_identifier: string;
}

const toIdentity = (row: IdentityRow): Identity => ({
  identityId: row.identity_id,
  identityPoolId: row.identity_pool_id,
  createdAt: asDate(row.created_at),
  lastModifiedAt: asDate(row.last_modified_at),
  mergedInto: row.merged_into ?? undefined,
  disabled: asBoolean(row.disabled),
});

const toLogin = (row: LoginRow): IdentityLogin => ({ providerName: row.provider_name, userIdentifier: row.user_identifier });

export async function createIdentity(db: SqlRunner, identity: Identity): Promise<void> {
  await db.run(
    sql`INSERT INTO identities (identity_id, identity_pool_id, created_at, last_modified_at, merged_into, disabled)
        VALUES (${identity.identityId}, ${identity.identityPoolId}, ${identity.createdAt}, ${identity.lastModifiedAt},
          ${identity.mergedInto ?? null}, ${identity.disabled})`,
  );
}

/** `lock`: the identity row's lock (PostgreSQL), for a change to the identity (here and imports.ts). */
export async function readIdentity(db: SqlRunner, identityId: string, lock = false): Promise<Identity | undefined> {
  const row = await db.get<IdentityRow>(sql`SELECT ${IDENTITY_COLUMNS} FROM identities WHERE identity_id = ${identityId}${lock ? forUpdate : empty}`);
  return row && toIdentity(row);
}

export const getIdentity = (db: SqlDatabase, identityId: string): Promise<Identity | undefined> => readIdentity(db, identityId);

export async function getIdentityLogins(db: SqlDatabase, identityId: string): Promise<IdentityLogin[]> {
  const rows = await db.all<LoginRow>(
    sql`SELECT identity_id, provider_name, user_identifier FROM identity_logins WHERE identity_id = ${identityId} ORDER BY provider_name, user_identifier`,
  );
  return rows.map(toLogin);
}

export async function findIdentityByLogin(db: SqlRunner, identityPoolId: string, login: IdentityLogin): Promise<string | undefined> {
  const row = await db.get<{ identity_id: string }>(
    sql`SELECT identity_id FROM identity_logins
        WHERE identity_pool_id = ${identityPoolId} AND provider_name = ${login.providerName} AND user_identifier = ${login.userIdentifier}`,
  );
  return row?.identity_id;
}

/** True when this call linked the login; false when another transaction holds it (it waits for that one to end). */
export async function insertLoginIfFree(tx: SqlRunner, identityPoolId: string, identityId: string, login: IdentityLogin, now: Date): Promise<boolean> {
  const inserted = await tx.run(
    sql`INSERT INTO identity_logins (identity_pool_id, provider_name, user_identifier, identity_id, linked_at)
        VALUES (${identityPoolId}, ${login.providerName}, ${login.userIdentifier}, ${identityId}, ${now}) ON CONFLICT DO NOTHING`,
  );
  return inserted > 0;
}

/** The login's owner after losing an insert race. Gone again already: the dialect re-runs the transaction. */
async function raceWinner(tx: SqlRunner, identityPoolId: string, login: IdentityLogin): Promise<string> {
  const winner = await findIdentityByLogin(tx, identityPoolId, login);
  if (winner === undefined) throw Object.assign(new Error('login owner vanished; retry'), { code: '40001' });
  return winner;
}

/**
 * Two first logins of one user racing on two nodes both insert a candidate; the login's primary key lets only
 * one link. The loser drops its candidate in the same transaction and answers with the winner.
 */
export function findOrCreateIdentityForLogin(
  db: SqlDatabase,
  identityPoolId: string,
  login: IdentityLogin,
  candidate: Identity,
): Promise<{ identityId: string; created: boolean }> {
  return db.write(async (tx) => {
    const existing = await findIdentityByLogin(tx, identityPoolId, login);
    if (existing !== undefined) return { identityId: existing, created: false };
    await createIdentity(tx, candidate);
    if (await insertLoginIfFree(tx, identityPoolId, candidate.identityId, login, candidate.createdAt)) {
      return { identityId: candidate.identityId, created: true };
    }
    await tx.run(sql`DELETE FROM identities WHERE identity_id = ${candidate.identityId}`);
    return { identityId: await raceWinner(tx, identityPoolId, login), created: false };
  });
}

export function linkLogin(db: SqlDatabase, identityId: string, login: IdentityLogin, now: Date): Promise<LinkLoginResult> {
  return db.write(async (tx) => {
    const identity = await readIdentity(tx, identityId, true);
    if (!identity) throw new Error(`identity ${identityId} does not exist`);
    const { identityPoolId } = identity;
    const owner =
      (await findIdentityByLogin(tx, identityPoolId, login)) ??
      ((await insertLoginIfFree(tx, identityPoolId, identityId, login, now)) ? undefined : await raceWinner(tx, identityPoolId, login));
    if (owner === undefined) await tx.run(sql`UPDATE identities SET last_modified_at = ${now}, disabled = ${false} WHERE identity_id = ${identityId}`);
    return owner === undefined || owner === identityId ? { linked: true } : { linked: false, linkedTo: owner };
  });
}

export function unlinkLogin(db: SqlDatabase, identityId: string, login: IdentityLogin, now: Date): Promise<boolean> {
  return db.write(async (tx) => {
    // Locked first so two unlinks of the identity's last two logins cannot both see one left.
    if (!(await readIdentity(tx, identityId, true))) return false;
    const removed = await tx.run(
      sql`DELETE FROM identity_logins WHERE identity_id = ${identityId} AND provider_name = ${login.providerName} AND user_identifier = ${login.userIdentifier}`,
    );
    if (removed === 0) return false;
    await tx.run(
      sql`UPDATE identities SET last_modified_at = ${now}, disabled = NOT EXISTS (SELECT 1 FROM identity_logins WHERE identity_id = ${identityId})
          WHERE identity_id = ${identityId}`,
    );
    return true;
  });
}

export function listIdentities(
  db: SqlDatabase,
  identityPoolId: string,
  limit: number,
  options: { after?: string; hideDisabled?: boolean },
): Promise<Page<IdentityWithLogins>> {
  // One snapshot for the page and its logins.
  return db.read(async (tx) => {
    const rows = await tx.all<IdentityRow>(
      sql`SELECT ${IDENTITY_COLUMNS} FROM identities
          WHERE identity_pool_id = ${identityPoolId} AND identity_id > ${options.after ?? ''} AND merged_into IS NULL
            ${options.hideDisabled ? sql`AND NOT disabled` : empty}
          ORDER BY identity_id LIMIT ${limit + 1}`,
    );
    const page = rows.slice(0, limit);
    const logins = page.length === 0 ? [] : await tx.all<LoginRow>(
      sql`SELECT identity_id, provider_name, user_identifier FROM identity_logins
          WHERE identity_id ${anyOf(page.map((row) => row.identity_id))} ORDER BY provider_name, user_identifier`,
    );
    const items = page.map((row) => ({ ...toIdentity(row), logins: logins.filter((l) => l.identity_id === row.identity_id).map(toLogin) }));
    return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityId : undefined };
  });
}

export async function listLoginUserIdentifiers(db: SqlDatabase, identityId: string, providerName: string, limit: number, after = ''): Promise<Page<string>> {
  const rows = await db.all<{ user_identifier: string }>(
    sql`SELECT user_identifier FROM identity_logins WHERE identity_id = ${identityId} AND provider_name = ${providerName} AND user_identifier > ${after}
        ORDER BY user_identifier LIMIT ${limit + 1}`,
  );
  const items = rows.slice(0, limit).map((r) => r.user_identifier);
  return { items, nextAfter: rows.length > limit ? items.at(-1) : undefined };
}

export function deleteIdentities(db: SqlDatabase, identityIds: string[]): Promise<string[]> {
  return db.write(async (tx) => {
    const deleted: string[] = [];
    // One by one, in the caller's order: an identity merged into one deleted earlier is already gone (ON DELETE
    // CASCADE, with its logins) and so is not reported twice.
    for (const id of identityIds) if ((await tx.run(sql`DELETE FROM identities WHERE identity_id = ${id}`)) > 0) deleted.push(id);
    return deleted;
  });
}

/**
 * MergeDeveloperIdentities, whole, in one transaction: the source's datasets move to the survivor, its logins
 * follow, and it is marked merged. A write by the source either commits before (its dataset moves too) or
 * finds the source merged — it can never create a dataset under an identity that no longer names data.
 */
export function mergeIdentities(db: SqlDatabase, fromIdentityId: string, toIdentityId: string, now: Date): Promise<void> {
  return db.write(async (tx) => {
    await lockMergingIdentities(tx, fromIdentityId, toIdentityId);
    await moveDatasetsOfMergedIdentity(tx, fromIdentityId, toIdentityId);
    await tx.run(sql`UPDATE identity_logins SET identity_id = ${toIdentityId} WHERE identity_id = ${fromIdentityId}`);
    await tx.run(sql`UPDATE identities SET merged_into = ${toIdentityId}, last_modified_at = ${now} WHERE merged_into = ${fromIdentityId}`);
    await tx.run(sql`UPDATE identities SET merged_into = ${toIdentityId}, last_modified_at = ${now} WHERE identity_id = ${fromIdentityId}`);
    await tx.run(sql`UPDATE identities SET last_modified_at = ${now}, disabled = ${false} WHERE identity_id = ${toIdentityId}`);
  });
}
