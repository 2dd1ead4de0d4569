// What importing a pool does to the store, decided in one place for both stores and the importer's dry run.
// AWS is the source: a pool already imported takes AWS's settings again (a re-run after they changed there).
import { canonicalJson } from './canonical-json.ts';
import type { IdentityPool, ImportedPoolConfiguration, ImportPoolResult } from './store.ts';

export interface ExistingPool {
  pool: IdentityPool;
  configuration: ImportedPoolConfiguration;
}

const settingsOf = (configuration: ImportedPoolConfiguration) => ({
  pushSync: configuration.pushSync,
  cognitoStreams: configuration.cognitoStreams,
  cognitoEvents: configuration.cognitoEvents,
});

/** Roles the source does not give are left as they are, so they never make a difference. */
const rolesDiffer = (existing: ImportedPoolConfiguration, incoming: ImportedPoolConfiguration) =>
  incoming.roles !== undefined && canonicalJson(existing.roles ?? { roles: {}, roleMappings: {} }) !== canonicalJson(incoming.roles);

export function planPoolImport(existing: ExistingPool | undefined, incoming: IdentityPool, configuration: ImportedPoolConfiguration): ImportPoolResult {
  if (!existing) return { outcome: 'created' };
  if (existing.pool.accountId !== incoming.accountId) return { outcome: 'owned-by-another-account', accountId: existing.pool.accountId };
  const same =
    canonicalJson(existing.pool.spec) === canonicalJson(incoming.spec) &&
    canonicalJson(settingsOf(existing.configuration)) === canonicalJson(settingsOf(configuration)) &&
    !rolesDiffer(existing.configuration, configuration);
  return { outcome: same ? 'unchanged' : 'updated' };
}
