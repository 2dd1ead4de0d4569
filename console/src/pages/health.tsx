// Server health from the operator endpoint: store, outbox, streams turned off, server version.
import { useSession } from '../context.ts';
import { operatorStatus } from '../operator.ts';
import { href } from '../router.ts';
import { useAsync } from '../ui/async.ts';
import { Badge, Busy, Empty, ErrorNote, Facts, Section } from '../ui/components.tsx';

const unknown = <span class="muted">not answered</span>;

export function HealthPage() {
  const { api } = useSession();
  const status = useAsync(() => operatorStatus(api), []);
  const s = status.data;
  const uptime = (seconds: number) => (seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`);
  return (
    <>
      <h1>Server health</h1>
      <ErrorNote error={status.error} onRetry={status.reload} />
      {status.loading && !s ? <Busy label="Asking the server…" /> : null}
      {s ? (
        <>
          <Section title="Store" actions={<button type="button" onClick={status.reload}>Refresh</button>}>
            <Facts
              items={[
                ['Kind', s.store.kind === 'sqlite' ? 'embedded SQLite' : 'PostgreSQL'],
                ['Answers', s.store.answers ? <Badge tone="ok">yes{s.store.pingMs !== undefined ? ` (${s.store.pingMs} ms)` : ''}</Badge> : <Badge tone="bad">no: {s.store.error}</Badge>],
                ['Backups', s.store.onlineBackup ? 'online: npm run backup -- --to FILE' : 'pg_dump / pg_restore (README, Backups)'],
              ]}
            />
          </Section>
          <Section title="Outbox (deliveries after commit)">
            <Facts
              items={[
                ['Waiting', s.outbox.depth !== undefined ? String(s.outbox.depth) : <Badge tone="bad">{s.outbox.error}</Badge>],
                [
                  'By kind',
                  s.outbox.depthByKind
                    ? Object.entries(s.outbox.depthByKind)
                        .map(([kind, n]) => `${kind}: ${n}`)
                        .join(', ') || 'nothing waiting'
                    : unknown,
                ],
                ['Dead letters', s.outbox.deadLetters ?? unknown],
              ]}
            />
          </Section>
          <Section title="Cognito Streams turned off">
            {s.account.streamsTurnedOff.length === 0 ? <Empty>None of this account's {s.account.poolsScanned} pools has a stream turned off.</Empty> : null}
            {s.account.streamsTurnedOff.length ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Pool</th>
                    <th scope="col">Stream</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {s.account.streamsTurnedOff.map((t) => (
                    <tr key={t.identityPoolId}>
                      <td>
                        <a href={href('pools', t.identityPoolId, 'sync')}>{t.identityPoolName}</a>
                      </td>
                      <td class="mono">{t.streamName}</td>
                      <td class="disabled-reason">{t.disabledReason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {s.account.truncated ? <p class="muted">Only the first {s.account.poolsScanned} pools were checked.</p> : null}
          </Section>
          <Section title="Server">
            <Facts
              items={[
                ['Version', s.server.version],
                ['Node.js', s.server.node],
                ['Region', s.server.region],
                ['Up for', uptime(s.server.uptimeSeconds)],
                ['Account', <span class="mono">{s.account.accountId}</span>],
              ]}
            />
          </Section>
        </>
      ) : null}
    </>
  );
}
