// One identity: its logins and dates, its developer user ids, its usage and its datasets (a page at a time).
import { DeleteIdentitiesCommand, DescribeIdentityCommand, LookupDeveloperIdentityCommand } from '@aws-sdk/client-cognito-identity';
import { DescribeIdentityUsageCommand, ListDatasetsCommand } from '@aws-sdk/client-cognito-sync';
import { useState } from 'preact/hooks';
import { useSession } from '../context.ts';
import { href, navigate } from '../router.ts';
import { useAction, useAsync } from '../ui/async.ts';
import { Busy, ConfirmButton, Empty, ErrorNote, Facts, Pager, Section, When } from '../ui/components.tsx';
import { bytes } from './usage.tsx';

const PAGE_SIZE = 20;

export function IdentityPage({ poolId, identityId }: { poolId: string; identityId: string }) {
  const { api } = useSession();
  const identity = useAsync(async () => {
    const [described, usage, developer] = await Promise.all([
      api.identity.send(new DescribeIdentityCommand({ IdentityId: identityId })),
      api.sync.send(new DescribeIdentityUsageCommand({ IdentityPoolId: poolId, IdentityId: identityId })),
      api.identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: identityId, MaxResults: 60 })).catch(() => undefined),
    ]);
    return { described, usage: usage.IdentityUsage, developerUserIds: developer?.DeveloperUserIdentifierList ?? [] };
  }, [identityId]);
  const remove = useAction();
  const deleteIdentity = async () => {
    const answer = await remove.run(() => api.identity.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [identityId] })));
    if (answer && !answer.UnprocessedIdentityIds?.length) navigate('pools', poolId, 'identities');
  };
  const d = identity.data;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumbs">
        <a href={href('pools')}>Identity pools</a> / <a href={href('pools', poolId, 'identities')}>{poolId}</a> / <span class="mono">{identityId}</span>
      </nav>
      <h1 class="mono">{identityId}</h1>
      <ErrorNote error={identity.error} onRetry={identity.reload} />
      {identity.loading && !d ? <Busy label="Loading the identity…" /> : null}
      {d ? (
        <Section title="Identity">
          <Facts
            items={[
              ['Logins', d.described.Logins?.length ? d.described.Logins.join(', ') : 'none (unauthenticated)'],
              ['Developer user ids', d.developerUserIds.length ? d.developerUserIds.join(', ') : undefined],
              ['Created', <When date={d.described.CreationDate} />],
              ['Last modified', <When date={d.described.LastModifiedDate} />],
              ['Datasets', String(d.usage?.DatasetCount ?? 0)],
              ['Data storage', bytes(d.usage?.DataStorage ?? 0)],
              ['Last sync', <When date={d.usage?.LastModifiedDate} />],
            ]}
          />
          <ErrorNote error={remove.error} />
          <ConfirmButton label="Delete identity…" question="Delete this identity and all its datasets?" confirmLabel="Delete identity" onConfirm={deleteIdentity} busy={remove.running} />
        </Section>
      ) : null}
      <Datasets poolId={poolId} identityId={identityId} />
    </>
  );
}

function Datasets({ poolId, identityId }: { poolId: string; identityId: string }) {
  const { api } = useSession();
  const [tokens, setTokens] = useState<string[]>([]);
  const datasets = useAsync(
    () => api.sync.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: identityId, MaxResults: PAGE_SIZE, NextToken: tokens.at(-1) })),
    [identityId, tokens.join(',')],
  );
  return (
    <Section title="Datasets" actions={<button type="button" onClick={datasets.reload}>Refresh</button>}>
      <ErrorNote error={datasets.error} onRetry={datasets.reload} />
      {datasets.loading && !datasets.data ? <Busy label="Loading datasets…" /> : null}
      {datasets.data && !datasets.data.Datasets?.length ? <Empty>No datasets: this identity has not synced anything.</Empty> : null}
      {datasets.data?.Datasets?.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Dataset</th>
              <th scope="col">Records</th>
              <th scope="col">Storage</th>
              <th scope="col">Created</th>
              <th scope="col">Last modified</th>
              <th scope="col">Last modified by</th>
            </tr>
          </thead>
          <tbody>
            {datasets.data.Datasets.map((dataset) => (
              <tr key={dataset.DatasetName}>
                <td>
                  <a href={href('pools', poolId, 'identities', identityId, 'datasets', dataset.DatasetName!)}>{dataset.DatasetName}</a>
                </td>
                <td>{dataset.NumRecords}</td>
                <td>{bytes(dataset.DataStorage ?? 0)}</td>
                <td><When date={dataset.CreationDate} /></td>
                <td><When date={dataset.LastModifiedDate} /></td>
                <td class="mono">{dataset.LastModifiedBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager tokens={tokens} next={datasets.data?.NextToken} onPage={setTokens} busy={datasets.loading} />
    </Section>
  );
}
