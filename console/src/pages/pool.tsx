// One identity pool: its tabs, each a page of its own address (#/pools/<id>/<tab>).
import { DescribeIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { useSession } from '../context.ts';
import { href } from '../router.ts';
import { useAsync } from '../ui/async.ts';
import { Busy, ErrorNote } from '../ui/components.tsx';
import { BulkPublishTab } from './bulk-publish.tsx';
import { IdentitiesTab } from './identities.tsx';
import { LoginProvidersTab, RolesTab, SettingsTab, TagsTab } from './pool-settings.tsx';
import { SyncConfigurationTab } from './pool-sync.tsx';
import { PoolUsageTab } from './usage.tsx';

const TABS: Array<[string, string]> = [
  ['settings', 'Settings'],
  ['providers', 'Login providers'],
  ['roles', 'Roles'],
  ['tags', 'Tags'],
  ['sync', 'Cognito Sync'],
  ['bulk-publish', 'BulkPublish'],
  ['identities', 'Identities'],
  ['usage', 'Usage'],
];

export function PoolPage({ poolId, tab }: { poolId: string; tab: string }) {
  const { api } = useSession();
  const pool = useAsync(() => api.identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId })), [poolId]);
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumbs">
        <a href={href('pools')}>Identity pools</a> / <span class="mono">{poolId}</span>
      </nav>
      <h1>{pool.data?.IdentityPoolName ?? poolId}</h1>
      <nav class="tabs" aria-label="Pool">
        {TABS.map(([id, label]) => (
          <a key={id} href={href('pools', poolId, id)} aria-current={tab === id ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <ErrorNote error={pool.error} onRetry={pool.reload} />
      {pool.loading && !pool.data ? <Busy label="Loading the pool…" /> : null}
      {pool.data ? (
        <>
          {tab === 'settings' ? <SettingsTab pool={pool.data} onChanged={pool.reload} /> : null}
          {tab === 'providers' ? <LoginProvidersTab pool={pool.data} onChanged={pool.reload} /> : null}
          {tab === 'roles' ? <RolesTab poolId={poolId} /> : null}
          {tab === 'tags' ? <TagsTab pool={pool.data} /> : null}
          {tab === 'sync' ? <SyncConfigurationTab poolId={poolId} /> : null}
          {tab === 'bulk-publish' ? <BulkPublishTab poolId={poolId} /> : null}
          {tab === 'identities' ? <IdentitiesTab pool={pool.data} /> : null}
          {tab === 'usage' ? <PoolUsageTab poolId={poolId} /> : null}
        </>
      ) : null}
    </>
  );
}
