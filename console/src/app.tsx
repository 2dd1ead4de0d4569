// The console's shell: sign-in until a key is given, then the header, the navigation and the page of the address.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi, serverRegion } from './aws.ts';
import { type ConsoleSession, SessionContext } from './context.ts';
import { operatorStatus } from './operator.ts';
import { DatasetPage } from './pages/dataset.tsx';
import { HealthPage } from './pages/health.tsx';
import { IdentityPage } from './pages/identity.tsx';
import { PoolPage } from './pages/pool.tsx';
import { PoolsPage } from './pages/pools.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { UsagePage } from './pages/usage.tsx';
import { href, useRoute } from './router.ts';
import { type DeveloperKey, forgetKey, loadKey, saveKey } from './session.ts';
import { Busy, ErrorNote } from './ui/components.tsx';

export function App() {
  const [key, setKey] = useState<DeveloperKey | undefined>(loadKey);
  const [region, setRegion] = useState<string>();
  const [regionError, setRegionError] = useState<unknown>();
  const [accountId, setAccountId] = useState<string>();

  useEffect(() => {
    serverRegion().then(setRegion, setRegionError);
  }, []);
  const api = useMemo(() => (key && region ? createApi(key, region) : undefined), [key, region]);
  useEffect(() => {
    if (!api) return;
    operatorStatus(api).then((status) => setAccountId(status.account.accountId), () => setAccountId(undefined));
  }, [api]);

  if (regionError) return <main class="page"><ErrorNote error={regionError} onRetry={() => location.reload()} /></main>;
  if (!region) return <main class="page"><Busy label="Connecting to the server…" /></main>;
  if (!key || !api) {
    return (
      <SignIn
        region={region}
        onSignedIn={(k) => {
          saveKey(k);
          setKey(k);
        }}
      />
    );
  }
  const session: ConsoleSession = { api, accessKeyId: key.accessKeyId, accountId };
  const signOut = () => {
    forgetKey();
    setKey(undefined);
    location.hash = '';
  };
  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">Cognito Sync console</span>
        <Nav />
        <span class="who" title={`region ${region}`}>
          {key.accessKeyId}
          {accountId ? ` · account ${accountId}` : ''}
        </span>
        <button type="button" class="quiet" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" class="page" tabIndex={-1}>
        <Page />
      </main>
    </SessionContext.Provider>
  );
}

function Nav() {
  const [first] = useRoute();
  const section = first ?? 'pools';
  const link = (to: string, label: string) => (
    <a href={href(to)} aria-current={section === to ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <nav class="main-nav" aria-label="Console">
      {link('pools', 'Identity pools')}
      {link('usage', 'Usage')}
      {link('health', 'Server health')}
    </nav>
  );
}

function Page() {
  const route = useRoute();
  const [section, poolId, part, identityId, datasetsWord, datasetName] = route;
  useEffect(() => {
    document.title = `${route.length ? route.slice(-1)[0] : 'Identity pools'} · Cognito Sync console`;
  }, [route.join('/')]);
  if (section === 'usage') return <UsagePage />;
  if (section === 'health') return <HealthPage />;
  if (section === 'pools' && poolId) {
    if (part === 'identities' && identityId && datasetsWord === 'datasets' && datasetName) {
      return <DatasetPage poolId={poolId} identityId={identityId} datasetName={datasetName} />;
    }
    if (part === 'identities' && identityId) return <IdentityPage poolId={poolId} identityId={identityId} />;
    return <PoolPage poolId={poolId} tab={part ?? 'settings'} />;
  }
  return <PoolsPage />;
}
