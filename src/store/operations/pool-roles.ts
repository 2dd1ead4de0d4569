// A pool's roles, role mappings and principal tag attribute maps (PoolRoleStore).
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { asBoolean, parseJson } from '../sql/row-values.ts';
import { forKeyShare, json, sql } from '../sql/sql.ts';
import type { IdentityPoolRoles, PrincipalTagAttributeMap } from '../store.ts';

export async function readPoolRoles(runner: SqlRunner, identityPoolId: string): Promise<IdentityPoolRoles> {
  const row = await runner.get<{ roles: string; role_mappings: string }>(
    sql`SELECT roles, role_mappings FROM identity_pool_roles WHERE identity_pool_id = ${identityPoolId}`,
  );
  if (!row) return { roles: {}, roleMappings: {} };
  return { roles: parseJson(row.roles) ?? {}, roleMappings: parseJson(row.role_mappings) ?? {} };
}

/** Replaces the pool's roles; the caller holds the pool (it exists, and stays until commit). */
export async function savePoolRoles(tx: SqlRunner, identityPoolId: string, roles: IdentityPoolRoles): Promise<void> {
  await tx.run(sql`INSERT INTO identity_pool_roles (identity_pool_id, roles, role_mappings)
    VALUES (${identityPoolId}, ${json(roles.roles)}, ${json(roles.roleMappings)})
    ON CONFLICT (identity_pool_id) DO UPDATE SET roles = excluded.roles, role_mappings = excluded.role_mappings`);
}

/** True when the pool exists; on PostgreSQL it then cannot be deleted before this transaction ends. */
async function holdPool(tx: SqlRunner, identityPoolId: string): Promise<boolean> {
  return (await tx.get(sql`SELECT 1 AS found FROM identity_pools WHERE identity_pool_id = ${identityPoolId}${forKeyShare}`)) !== undefined;
}

export const getIdentityPoolRoles = (db: SqlDatabase, identityPoolId: string) => readPoolRoles(db, identityPoolId);

export function setIdentityPoolRoles(db: SqlDatabase, identityPoolId: string, roles: IdentityPoolRoles): Promise<boolean> {
  return db.write(async (tx) => {
    if (!(await holdPool(tx, identityPoolId))) return false;
    await savePoolRoles(tx, identityPoolId, roles);
    return true;
  });
}

export async function getPrincipalTagAttributeMap(db: SqlDatabase, identityPoolId: string, providerName: string): Promise<PrincipalTagAttributeMap | undefined> {
  const row = await db.get<{ use_defaults: unknown; principal_tags: string }>(sql`SELECT use_defaults, principal_tags
    FROM principal_tag_attribute_maps WHERE identity_pool_id = ${identityPoolId} AND provider_name = ${providerName}`);
  return row && { useDefaults: asBoolean(row.use_defaults), principalTags: parseJson(row.principal_tags) ?? {} };
}

export function setPrincipalTagAttributeMap(db: SqlDatabase, identityPoolId: string, providerName: string, map: PrincipalTagAttributeMap): Promise<boolean> {
  return db.write(async (tx) => {
    if (!(await holdPool(tx, identityPoolId))) return false;
    await tx.run(sql`INSERT INTO principal_tag_attribute_maps (identity_pool_id, provider_name, use_defaults, principal_tags)
      VALUES (${identityPoolId}, ${providerName}, ${map.useDefaults}, ${json(map.principalTags)})
      ON CONFLICT (identity_pool_id, provider_name) DO UPDATE SET use_defaults = excluded.use_defaults, principal_tags = excluded.principal_tags`);
    return true;
  });
}
