// A pool's Cognito Identity side: settings, login providers, roles and tags. Every change is UpdateIdentityPool
// (which replaces the whole description, so the current one is sent back with the change), SetIdentityPoolRoles,
// TagResource or UntagResource. Operations the server does not implement yet answer NotImplementedException,
// shown as such.
import {
  DeleteIdentityPoolCommand,
  type DescribeIdentityPoolCommandOutput,
  GetIdentityPoolRolesCommand,
  type IdentityPool,
  ListTagsForResourceCommand,
  SetIdentityPoolRolesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateIdentityPoolCommand,
} from '@aws-sdk/client-cognito-identity';
import { useState } from 'preact/hooks';
import { useSession } from '../context.ts';
import { navigate } from '../router.ts';
import { useAction, useAsync } from '../ui/async.ts';
import { Busy, Check, ConfirmButton, Done, Empty, ErrorNote, Facts, Field, Section } from '../ui/components.tsx';

type Pool = DescribeIdentityPoolCommandOutput;

/** UpdateIdentityPool input: the pool as described, with `change` applied (the operation replaces every member). */
function updated(pool: Pool, change: Partial<IdentityPool>): IdentityPool {
  const { $metadata: _metadata, ...current } = pool;
  return { ...current, ...change } as IdentityPool;
}

export function SettingsTab({ pool, onChanged }: { pool: Pool; onChanged: () => void }) {
  const { api } = useSession();
  const [name, setName] = useState(pool.IdentityPoolName ?? '');
  const [allowUnauthenticated, setAllowUnauthenticated] = useState(Boolean(pool.AllowUnauthenticatedIdentities));
  const [allowClassic, setAllowClassic] = useState(Boolean(pool.AllowClassicFlow));
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const remove = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    const done = await save.run(() =>
      api.identity.send(new UpdateIdentityPoolCommand(updated(pool, { IdentityPoolName: name.trim(), AllowUnauthenticatedIdentities: allowUnauthenticated, AllowClassicFlow: allowClassic }))),
    );
    if (done) {
      setSaved(true);
      onChanged();
    }
  };
  const deletePool = async () => {
    const done = await remove.run(() => api.identity.send(new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId! })));
    if (done) navigate('pools');
  };
  return (
    <>
      <Section title="Pool">
        <Facts
          items={[
            ['Identity pool ID', <span class="mono">{pool.IdentityPoolId}</span>],
            ['Unauthenticated identities', pool.AllowUnauthenticatedIdentities ? 'allowed' : 'not allowed'],
            ['Classic (basic) flow', pool.AllowClassicFlow ? 'allowed' : 'not allowed'],
            ['Developer provider', pool.DeveloperProviderName],
          ]}
        />
      </Section>
      <Section title="Change settings">
        <form class="form" onSubmit={submit}>
          <Field label="Pool name" required value={name} maxLength={128} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <Check label="Allow unauthenticated identities" checked={allowUnauthenticated} onChange={setAllowUnauthenticated} />
          <Check label="Allow the classic (basic) authentication flow" checked={allowClassic} onChange={setAllowClassic} />
          <ErrorNote error={save.error} />
          {saved ? <Done>Saved.</Done> : null}
          <button type="submit" class="primary" disabled={save.running}>
            {save.running ? 'Saving…' : 'Save settings'}
          </button>
        </form>
      </Section>
      <Section title="Delete this pool">
        <p class="muted">Deletes the pool with every identity, dataset and record in it. Devices of this pool stop syncing.</p>
        <ErrorNote error={remove.error} />
        <ConfirmButton label="Delete pool…" question={`Delete ${pool.IdentityPoolName} and all its data?`} confirmLabel="Delete pool" onConfirm={deletePool} busy={remove.running} />
      </Section>
    </>
  );
}

export function LoginProvidersTab({ pool, onChanged }: { pool: Pool; onChanged: () => void }) {
  const { api } = useSession();
  const [provider, setProvider] = useState('');
  const [appId, setAppId] = useState('');
  const [oidc, setOidc] = useState((pool.OpenIdConnectProviderARNs ?? []).join('\n'));
  const [saml, setSaml] = useState((pool.SamlProviderARNs ?? []).join('\n'));
  const action = useAction();
  const supported = Object.entries(pool.SupportedLoginProviders ?? {});
  const apply = async (change: Partial<IdentityPool>) => {
    const done = await action.run(() => api.identity.send(new UpdateIdentityPoolCommand(updated(pool, change))));
    if (done) onChanged();
    return done;
  };
  const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (
    <>
      <Section title="Public login providers">
        {supported.length === 0 ? <Empty>None: identities of this pool sign in unauthenticated or through the developer provider.</Empty> : null}
        {supported.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">App ID</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {supported.map(([name, id]) => (
                <tr key={name}>
                  <td class="mono">{name}</td>
                  <td class="mono">{id}</td>
                  <td>
                    <button
                      type="button"
                      disabled={action.running}
                      onClick={() => {
                        const rest = { ...pool.SupportedLoginProviders };
                        delete rest[name];
                        void apply({ SupportedLoginProviders: rest });
                      }}
                    >
                      Remove {name}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <form
          class="form inline"
          onSubmit={async (event) => {
            event.preventDefault();
            if (await apply({ SupportedLoginProviders: { ...pool.SupportedLoginProviders, [provider.trim()]: appId.trim() } })) {
              setProvider('');
              setAppId('');
            }
          }}
        >
          <Field label="Provider" required placeholder="accounts.google.com" value={provider} onInput={(e) => setProvider((e.target as HTMLInputElement).value)} />
          <Field label="App ID" required value={appId} onInput={(e) => setAppId((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={action.running}>Add provider</button>
        </form>
      </Section>
      <Section title="Developer provider, OpenID Connect, SAML and user pools">
        <Facts
          items={[
            ['Developer provider name', pool.DeveloperProviderName],
            [
              'Cognito user pools',
              pool.CognitoIdentityProviders?.length ? (
                <ul>
                  {pool.CognitoIdentityProviders.map((p) => (
                    <li key={`${p.ProviderName}/${p.ClientId}`} class="mono">
                      {p.ProviderName} · client {p.ClientId}
                      {p.ServerSideTokenCheck ? ' · server-side token check' : ''}
                    </li>
                  ))}
                </ul>
              ) : undefined,
            ],
          ]}
        />
        <form
          class="form"
          onSubmit={(event) => {
            event.preventDefault();
            void apply({ OpenIdConnectProviderARNs: lines(oidc), SamlProviderARNs: lines(saml) });
          }}
        >
          <TextArea label="OpenID Connect provider ARNs (one per line)" value={oidc} onInput={setOidc} />
          <TextArea label="SAML provider ARNs (one per line)" value={saml} onInput={setSaml} />
          <button type="submit" disabled={action.running}>Save provider ARNs</button>
        </form>
        <ErrorNote error={action.error} />
      </Section>
    </>
  );
}

function TextArea({ label, value, onInput }: { label: string; value: string; onInput: (value: string) => void }) {
  const id = `ta-${label.replace(/\W+/g, '-')}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} rows={3} value={value} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />
    </div>
  );
}

export function RolesTab({ poolId }: { poolId: string }) {
  const { api } = useSession();
  const roles = useAsync(() => api.identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId })), [poolId]);
  const [authenticated, setAuthenticated] = useState('');
  const [unauthenticated, setUnauthenticated] = useState('');
  const action = useAction();
  return (
    <Section title="Roles" actions={<button type="button" onClick={roles.reload}>Refresh</button>}>
      {roles.loading && !roles.data ? <Busy label="Loading roles…" /> : null}
      <ErrorNote error={roles.error} onRetry={roles.reload} />
      {roles.data ? (
        <Facts
          items={[
            ['Authenticated role', <span class="mono">{roles.data.Roles?.authenticated}</span>],
            ['Unauthenticated role', <span class="mono">{roles.data.Roles?.unauthenticated}</span>],
            ['Role mappings', roles.data.RoleMappings && Object.keys(roles.data.RoleMappings).length ? <pre>{JSON.stringify(roles.data.RoleMappings, null, 2)}</pre> : undefined],
          ]}
        />
      ) : null}
      <form
        class="form"
        onSubmit={async (event) => {
          event.preventDefault();
          const Roles: Record<string, string> = {};
          if (authenticated.trim()) Roles.authenticated = authenticated.trim();
          if (unauthenticated.trim()) Roles.unauthenticated = unauthenticated.trim();
          if (await action.run(() => api.identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles, RoleMappings: roles.data?.RoleMappings })))) roles.reload();
        }}
      >
        <Field label="Authenticated role ARN" value={authenticated} placeholder="arn:aws:iam::123456789012:role/Authenticated" onInput={(e) => setAuthenticated((e.target as HTMLInputElement).value)} />
        <Field label="Unauthenticated role ARN" value={unauthenticated} onInput={(e) => setUnauthenticated((e.target as HTMLInputElement).value)} />
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.running}>Set roles</button>
      </form>
    </Section>
  );
}

export function TagsTab({ pool }: { pool: Pool }) {
  const { api, accountId } = useSession();
  const arn = accountId ? `arn:aws:cognito-identity:${api.region}:${accountId}:identitypool/${pool.IdentityPoolId}` : undefined;
  const tags = useAsync(async () => (arn ? api.identity.send(new ListTagsForResourceCommand({ ResourceArn: arn })) : undefined), [arn]);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const action = useAction();
  const shown = tags.data?.Tags ?? pool.IdentityPoolTags ?? {};
  return (
    <Section title="Tags" actions={<button type="button" onClick={tags.reload}>Refresh</button>}>
      <p class="muted">
        Resource ARN: <span class="mono">{arn ?? '(the account id is not known yet)'}</span>
      </p>
      {tags.loading && !tags.data ? <Busy label="Loading tags…" /> : null}
      <ErrorNote error={tags.error} onRetry={tags.reload} />
      {Object.keys(shown).length === 0 ? <Empty>No tags.</Empty> : null}
      {Object.keys(shown).length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col"><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(shown).map(([k, v]) => (
              <tr key={k}>
                <td class="mono">{k}</td>
                <td class="mono">{v}</td>
                <td>
                  <button type="button" disabled={!arn || action.running} onClick={async () => (await action.run(() => api.identity.send(new UntagResourceCommand({ ResourceArn: arn!, TagKeys: [k] })))) && tags.reload()}>
                    Remove {k}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        class="form inline"
        onSubmit={async (event) => {
          event.preventDefault();
          if (arn && (await action.run(() => api.identity.send(new TagResourceCommand({ ResourceArn: arn, Tags: { [key.trim()]: value } }))))) {
            setKey('');
            setValue('');
            tags.reload();
          }
        }}
      >
        <Field label="Tag key" required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        <Field label="Tag value" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={!arn || action.running}>Add tag</button>
      </form>
      <ErrorNote error={action.error} />
    </Section>
  );
}
