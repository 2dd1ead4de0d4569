// BulkPublish: start the pool's one-off copy of every dataset to its Kinesis stream, and follow it with
// GetBulkPublishDetails until it ends.
import { BulkPublishCommand, GetBulkPublishDetailsCommand } from '@aws-sdk/client-cognito-sync';
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../context.ts';
import { useAction, useAsync } from '../ui/async.ts';
import { Badge, Busy, ErrorNote, Facts, Progress, Section, When } from '../ui/components.tsx';

const POLL_MS = 1500;
/** A watch that ends on its own; Refresh (or reopening the tab) starts another. */
const MAX_POLLS = 400;

export function BulkPublishTab({ poolId }: { poolId: string }) {
  const { api } = useSession();
  const details = useAsync(() => api.sync.send(new GetBulkPublishDetailsCommand({ IdentityPoolId: poolId })), [poolId]);
  const start = useAction();
  const [polls, setPolls] = useState(0);
  const status = details.data?.BulkPublishStatus;
  useEffect(() => {
    if (status !== 'IN_PROGRESS' || polls >= MAX_POLLS) return;
    const timer = setTimeout(() => {
      setPolls((n) => n + 1);
      details.reload();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [status, polls, details.data]);
  const elapsed = details.data?.BulkPublishStartTime ? Math.round((Date.now() - details.data.BulkPublishStartTime.getTime()) / 1000) : undefined;
  return (
    <Section title="BulkPublish" actions={<button type="button" onClick={() => { setPolls(0); details.reload(); }}>Refresh</button>}>
      <p class="muted">Publishes every dataset of the pool to its Cognito Streams Kinesis stream once (at most once in 24 hours). Streaming must be enabled.</p>
      <ErrorNote error={details.error} onRetry={details.reload} />
      {details.loading && !details.data ? <Busy label="Loading BulkPublish details…" /> : null}
      {details.data ? (
        <Facts
          items={[
            ['Status', <Badge tone={status === 'SUCCEEDED' ? 'ok' : status === 'FAILED' ? 'bad' : status === 'IN_PROGRESS' ? 'warn' : 'plain'}>{status}</Badge>],
            ['Started', <When date={details.data.BulkPublishStartTime} />],
            ['Completed', <When date={details.data.BulkPublishCompleteTime} />],
            ['Failure', details.data.FailureMessage],
          ]}
        />
      ) : null}
      {status === 'IN_PROGRESS' ? <Progress label={`Publishing… ${elapsed ?? 0} s so far`} value={0} /> : null}
      <ErrorNote error={start.error} />
      <button
        type="button"
        class="primary"
        disabled={start.running || status === 'IN_PROGRESS'}
        onClick={async () => {
          if (await start.run(() => api.sync.send(new BulkPublishCommand({ IdentityPoolId: poolId })))) {
            setPolls(0);
            details.reload();
          }
        }}
      >
        {start.running ? 'Starting…' : 'Start BulkPublish'}
      </button>
    </Section>
  );
}
