// Usage: each pool's stored bytes and sync sessions as a bar chart, a page at a time as ListIdentityPoolUsage pages;
// and one pool's figures (DescribeIdentityPoolUsage).
import { DescribeIdentityPoolCommand } from '@aws-sdk/client-cognito-identity';
import { DescribeIdentityPoolUsageCommand, ListIdentityPoolUsageCommand } from '@aws-sdk/client-cognito-sync';
import { useState } from 'preact/hooks';
import { useSession } from '../context.ts';
import { href } from '../router.ts';
import { useAsync } from '../ui/async.ts';
import { Busy, Empty, ErrorNote, Facts, Pager, Section, When } from '../ui/components.tsx';

const PAGE_SIZE = 20;

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

interface Bar {
  id: string;
  label: string;
  value: number;
  text: string;
}

/** A horizontal bar chart in SVG, with the figures also in a table for screen readers. */
function BarChart({ title, bars }: { title: string; bars: Bar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 28;
  const labelWidth = 220;
  const width = 720;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${bars.length * row + 8}`} role="img" aria-label={title} preserveAspectRatio="xMinYMin meet">
        {bars.map((bar, i) => {
          const w = Math.max(2, (bar.value / max) * (width - labelWidth - 110));
          const y = i * row + 4;
          return (
            <g key={bar.id}>
              <text x={labelWidth - 8} y={y + 17} text-anchor="end" class="chart-label">
                {bar.label.length > 30 ? `${bar.label.slice(0, 29)}…` : bar.label}
              </text>
              <rect x={labelWidth} y={y + 4} width={w} height={row - 10} rx={3} class="chart-bar" />
              <text x={labelWidth + w + 6} y={y + 17} class="chart-value">
                {bar.text}
              </text>
            </g>
          );
        })}
      </svg>
      <table class="sr-only">
        <caption>{title}</caption>
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.id}>
              <th scope="row">{bar.label}</th>
              <td>{bar.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function UsagePage() {
  const { api } = useSession();
  const [tokens, setTokens] = useState<string[]>([]);
  const usage = useAsync(async () => {
    const page = await api.sync.send(new ListIdentityPoolUsageCommand({ MaxResults: PAGE_SIZE, NextToken: tokens.at(-1) }));
    const items = page.IdentityPoolUsages ?? [];
    // ListIdentityPoolUsage names pools by id only: their names come from DescribeIdentityPool.
    const names = await Promise.all(
      items.map((u) =>
        api.identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: u.IdentityPoolId! })).then(
          (p) => p.IdentityPoolName ?? u.IdentityPoolId!,
          () => u.IdentityPoolId!,
        ),
      ),
    );
    return { items: items.map((u, i) => ({ ...u, name: names[i]! })), next: page.NextToken };
  }, [tokens.join(',')]);
  const items = usage.data?.items ?? [];
  return (
    <>
      <h1>Usage</h1>
      <Section title="Usage per pool" actions={<button type="button" onClick={usage.reload}>Refresh</button>}>
        <ErrorNote error={usage.error} onRetry={usage.reload} />
        {usage.loading && !usage.data ? <Busy label="Loading usage…" /> : null}
        {usage.data && items.length === 0 ? <Empty>No pools yet.</Empty> : null}
        {items.length ? (
          <div class="charts">
            <BarChart title="Data stored" bars={items.map((u) => ({ id: u.IdentityPoolId!, label: u.name, value: u.DataStorage ?? 0, text: bytes(u.DataStorage ?? 0) }))} />
            <BarChart title="Sync sessions" bars={items.map((u) => ({ id: u.IdentityPoolId!, label: u.name, value: u.SyncSessionsCount ?? 0, text: String(u.SyncSessionsCount ?? 0) }))} />
          </div>
        ) : null}
        {items.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Pool</th>
                <th scope="col">Sync sessions</th>
                <th scope="col">Data stored</th>
                <th scope="col">Last modified</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.IdentityPoolId}>
                  <td>
                    <a href={href('pools', u.IdentityPoolId!, 'usage')}>{u.name}</a>
                  </td>
                  <td>{u.SyncSessionsCount ?? 0}</td>
                  <td>{bytes(u.DataStorage ?? 0)}</td>
                  <td><When date={u.LastModifiedDate} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <Pager tokens={tokens} next={usage.data?.next} onPage={setTokens} busy={usage.loading} />
      </Section>
    </>
  );
}

export function PoolUsageTab({ poolId }: { poolId: string }) {
  const { api } = useSession();
  const usage = useAsync(() => api.sync.send(new DescribeIdentityPoolUsageCommand({ IdentityPoolId: poolId })), [poolId]);
  const u = usage.data?.IdentityPoolUsage;
  return (
    <Section title="Usage" actions={<button type="button" onClick={usage.reload}>Refresh</button>}>
      <ErrorNote error={usage.error} onRetry={usage.reload} />
      {usage.loading && !u ? <Busy label="Loading usage…" /> : null}
      {u ? (
        <Facts
          items={[
            ['Sync sessions', String(u.SyncSessionsCount ?? 0)],
            ['Data stored', bytes(u.DataStorage ?? 0)],
            ['Last modified', <When date={u.LastModifiedDate} />],
          ]}
        />
      ) : null}
      <p>
        <a href={href('usage')}>Compare with the other pools →</a>
      </p>
    </Section>
  );
}
