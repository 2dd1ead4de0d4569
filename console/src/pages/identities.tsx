// A pool's identities: a page at a time as ListIdentities pages (disabled ones hidden unless asked for), found by
// IdentityId or by developer user id, and deleted in DeleteIdentities' batches of 60.
import {
  DeleteIdentitiesCommand,
  DescribeIdentityCommand,
  type DescribeIdentityPoolCommandOutput,
  ListIdentitiesCommand,
  LookupDeveloperIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import { useState } from 'preact/hooks';
import { useSession } from '../context.ts';
import { href, navigate } from '../router.ts';
import { useAction, useAsync } from '../ui/async.ts';
import { Busy, Check, ConfirmButton, Done, Empty, ErrorNote, Field, Pager, Progress, Section, When } from '../ui/components.tsx';

const PAGE_SIZE = 20;
const DELETE_BATCH = 60;
const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;

export function IdentitiesTab({ pool }: { pool: DescribeIdentityPoolCommandOutput }) {
  const { api } = useSession();
  const poolId = pool.IdentityPoolId!;
  const [hideDisabled, setHideDisabled] = useState(true);
  const [tokens, setTokens] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState<{ done: number; total: number }>();
  const [deleteReport, setDeleteReport] = useState<string>();
  const remove = useAction();
  const identities = useAsync(
    () => api.identity.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: PAGE_SIZE, HideDisabled: hideDisabled, NextToken: tokens.at(-1) })),
    [poolId, hideDisabled, tokens.join(',')],
  );

  const deleteSelected = async () => {
    const ids = [...selected];
    setDeleteReport(undefined);
    const unprocessed: string[] = [];
    await remove.run(async () => {
      for (let i = 0; i < ids.length; i += DELETE_BATCH) {
        setDeleting({ done: i, total: ids.length });
        const answer = await api.identity.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: ids.slice(i, i + DELETE_BATCH) }));
        for (const u of answer.UnprocessedIdentityIds ?? []) unprocessed.push(`${u.IdentityId} (${u.ErrorCode})`);
      }
    });
    setDeleting(undefined);
    setSelected(new Set());
    setDeleteReport(unprocessed.length ? `Not deleted: ${unprocessed.join(', ')}` : `Deleted ${ids.length} identit${ids.length === 1 ? 'y' : 'ies'}.`);
    identities.reload();
  };

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  return (
    <>
      <FindIdentity poolId={poolId} developerProvider={pool.DeveloperProviderName} />
      <Section title="Identities" actions={<button type="button" onClick={identities.reload}>Refresh</button>}>
        <Check
          label="Hide disabled identities"
          checked={hideDisabled}
          onChange={(on) => {
            setHideDisabled(on);
            setTokens([]);
          }}
        />
        <ErrorNote error={identities.error} onRetry={identities.reload} />
        {identities.loading && !identities.data ? <Busy label="Loading identities…" /> : null}
        {identities.data && !identities.data.Identities?.length ? <Empty>No identities{tokens.length ? ' on this page' : ' in this pool yet'}.</Empty> : null}
        {identities.data?.Identities?.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col"><span class="sr-only">Select</span></th>
                <th scope="col">Identity ID</th>
                <th scope="col">Logins</th>
                <th scope="col">Created</th>
                <th scope="col">Last modified</th>
              </tr>
            </thead>
            <tbody>
              {identities.data.Identities.map((identity) => (
                <tr key={identity.IdentityId}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${identity.IdentityId}`}
                      checked={selected.has(identity.IdentityId!)}
                      onChange={(e) => toggle(identity.IdentityId!, (e.target as HTMLInputElement).checked)}
                    />
                  </td>
                  <td class="mono">
                    <a href={href('pools', poolId, 'identities', identity.IdentityId!)}>{identity.IdentityId}</a>
                  </td>
                  <td>{identity.Logins?.length ? identity.Logins.join(', ') : <span class="muted">unauthenticated</span>}</td>
                  <td><When date={identity.CreationDate} /></td>
                  <td><When date={identity.LastModifiedDate} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <Pager tokens={tokens} next={identities.data?.NextToken} onPage={setTokens} busy={identities.loading} />
        {deleting ? <Progress label="Deleting identities" value={deleting.done} max={deleting.total} /> : null}
        <ErrorNote error={remove.error} />
        {deleteReport ? <Done>{deleteReport}</Done> : null}
        {selected.size ? (
          <ConfirmButton
            label={`Delete ${selected.size} selected…`}
            question={`Delete ${selected.size} identit${selected.size === 1 ? 'y' : 'ies'} and their datasets?`}
            confirmLabel="Delete identities"
            onConfirm={deleteSelected}
            busy={remove.running}
          />
        ) : null}
      </Section>
    </>
  );
}

function FindIdentity({ poolId, developerProvider }: { poolId: string; developerProvider?: string }) {
  const { api } = useSession();
  const [query, setQuery] = useState('');
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const text = query.trim();
    const found = await action.run(async () => {
      if (IDENTITY_ID.test(text)) {
        const identity = await api.identity.send(new DescribeIdentityCommand({ IdentityId: text }));
        return identity.IdentityId;
      }
      const answer = await api.identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, DeveloperUserIdentifier: text, MaxResults: 1 }));
      return answer.IdentityId;
    });
    if (found) navigate('pools', poolId, 'identities', found);
  };
  return (
    <Section title="Find an identity">
      <form class="form inline" onSubmit={submit}>
        <Field
          label="Identity ID or developer user ID"
          required
          value={query}
          hint={developerProvider ? `Developer user ids are those of ${developerProvider}.` : 'This pool has no developer provider: search by identity id.'}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={action.running}>Find</button>
      </form>
      <ErrorNote error={action.error} />
    </Section>
  );
}
