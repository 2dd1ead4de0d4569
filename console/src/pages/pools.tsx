// Identity pools: the account's pools, a page at a time as ListIdentityPools pages, and a form to create one.
import { CreateIdentityPoolCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { useState } from 'preact/hooks';
import { useSession } from '../context.ts';
import { href, navigate } from '../router.ts';
import { useAction, useAsync } from '../ui/async.ts';
import { Busy, Check, Empty, ErrorNote, Field, Pager, Section } from '../ui/components.tsx';

const PAGE_SIZE = 20;

export function PoolsPage() {
  const { api } = useSession();
  const [tokens, setTokens] = useState<string[]>([]);
  const pools = useAsync(
    () => api.identity.send(new ListIdentityPoolsCommand({ MaxResults: PAGE_SIZE, NextToken: tokens.at(-1) })),
    [tokens.join(',')],
  );
  return (
    <>
      <h1>Identity pools</h1>
      <Section title="Pools" actions={<button type="button" onClick={pools.reload}>Refresh</button>}>
        <ErrorNote error={pools.error} onRetry={pools.reload} />
        {pools.loading && !pools.data ? <Busy label="Loading pools…" /> : null}
        {pools.data && pools.data.IdentityPools?.length === 0 ? <Empty>No identity pools yet. Create one below.</Empty> : null}
        {pools.data?.IdentityPools?.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Identity pool ID</th>
              </tr>
            </thead>
            <tbody>
              {pools.data.IdentityPools.map((pool) => (
                <tr key={pool.IdentityPoolId}>
                  <td>
                    <a href={href('pools', pool.IdentityPoolId!)}>{pool.IdentityPoolName}</a>
                  </td>
                  <td class="mono">{pool.IdentityPoolId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <Pager tokens={tokens} next={pools.data?.NextToken} onPage={setTokens} busy={pools.loading} />
      </Section>
      <CreatePool />
    </>
  );
}

function CreatePool() {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [allowUnauthenticated, setAllowUnauthenticated] = useState(true);
  const [developerProvider, setDeveloperProvider] = useState('');
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const created = await action.run(() =>
      api.identity.send(
        new CreateIdentityPoolCommand({
          IdentityPoolName: name.trim(),
          AllowUnauthenticatedIdentities: allowUnauthenticated,
          DeveloperProviderName: developerProvider.trim() || undefined,
        }),
      ),
    );
    if (created?.IdentityPoolId) navigate('pools', created.IdentityPoolId);
  };
  return (
    <Section title="Create an identity pool">
      <form onSubmit={submit} class="form">
        <Field label="Pool name" required value={name} maxLength={128} hint="Letters, digits, spaces, + = , . @ - _ (1–128)" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <Field
          label="Developer provider name (optional)"
          value={developerProvider}
          hint="For developer-authenticated identities, e.g. login.example.app; cannot be changed later."
          onInput={(e) => setDeveloperProvider((e.target as HTMLInputElement).value)}
        />
        <Check label="Allow unauthenticated identities" checked={allowUnauthenticated} onChange={setAllowUnauthenticated} />
        <ErrorNote error={action.error} />
        <button type="submit" class="primary" disabled={action.running}>
          {action.running ? 'Creating…' : 'Create pool'}
        </button>
      </form>
    </Section>
  );
}
