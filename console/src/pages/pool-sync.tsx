// A pool's Cognito Sync configuration: push sync, Cognito Streams (with the DisabledReason the server records when
// a stream turns itself off) and the sync trigger (Cognito Events).
import {
  GetCognitoEventsCommand,
  GetIdentityPoolConfigurationCommand,
  SetCognitoEventsCommand,
  SetIdentityPoolConfigurationCommand,
  type StreamingStatus,
} from '@aws-sdk/client-cognito-sync';
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../context.ts';
import { cognitoStreamsOnTheWire } from '../operator.ts';
import { useAction, useAsync } from '../ui/async.ts';
import { Badge, Busy, Done, ErrorNote, Facts, Field, Section } from '../ui/components.tsx';

export function SyncConfigurationTab({ poolId }: { poolId: string }) {
  const { api } = useSession();
  const configuration = useAsync(async () => {
    const [sdk, streams] = await Promise.all([
      api.sync.send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId })),
      cognitoStreamsOnTheWire(api, poolId),
    ]);
    return { pushSync: sdk.PushSync, streams };
  }, [poolId]);
  return (
    <>
      <ErrorNote error={configuration.error} onRetry={configuration.reload} />
      {configuration.loading && !configuration.data ? <Busy label="Loading the Cognito Sync configuration…" /> : null}
      {configuration.data ? (
        <>
          <StreamsSection poolId={poolId} streams={configuration.data.streams} onChanged={configuration.reload} />
          <PushSyncSection poolId={poolId} pushSync={configuration.data.pushSync} onChanged={configuration.reload} />
        </>
      ) : null}
      <SyncTriggerSection poolId={poolId} />
    </>
  );
}

type Streams = Awaited<ReturnType<typeof cognitoStreamsOnTheWire>>;

function StreamsSection({ poolId, streams, onChanged }: { poolId: string; streams: Streams; onChanged: () => void }) {
  const { api } = useSession();
  const [streamName, setStreamName] = useState(streams?.StreamName ?? '');
  const [roleArn, setRoleArn] = useState(streams?.RoleArn ?? '');
  const [enabled, setEnabled] = useState(streams?.StreamingStatus === 'ENABLED');
  const action = useAction();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setStreamName(streams?.StreamName ?? '');
    setRoleArn(streams?.RoleArn ?? '');
    setEnabled(streams?.StreamingStatus === 'ENABLED');
  }, [streams]);
  const status = streams?.StreamingStatus;
  return (
    <Section
      title="Cognito Streams"
      actions={<button type="button" onClick={onChanged}>Refresh</button>}
    >
      <Facts
        items={[
          ['Status', status ? <Badge tone={status === 'ENABLED' ? 'ok' : streams?.DisabledReason ? 'bad' : 'plain'}>{status}</Badge> : 'not configured'],
          ['Kinesis stream', <span class="mono">{streams?.StreamName}</span>],
          ['Role', <span class="mono">{streams?.RoleArn}</span>],
          ['Disabled reason', streams?.DisabledReason ? <span class="disabled-reason">{streams.DisabledReason}</span> : undefined],
        ]}
      />
      <form
        class="form"
        onSubmit={async (event) => {
          event.preventDefault();
          setSaved(false);
          const StreamingStatus: StreamingStatus = enabled ? 'ENABLED' : 'DISABLED';
          const done = await action.run(() =>
            api.sync.send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, CognitoStreams: { StreamName: streamName.trim(), RoleArn: roleArn.trim(), StreamingStatus } })),
          );
          if (done) {
            setSaved(true);
            onChanged();
          }
        }}
      >
        <Field label="Kinesis stream name" value={streamName} onInput={(e) => setStreamName((e.target as HTMLInputElement).value)} />
        <Field label="Role ARN" value={roleArn} onInput={(e) => setRoleArn((e.target as HTMLInputElement).value)} />
        <label class="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)} /> Streaming enabled
        </label>
        <ErrorNote error={action.error} />
        {saved ? <Done>Saved. Turning streaming on again clears the disabled reason.</Done> : null}
        <button type="submit" disabled={action.running}>Save Cognito Streams</button>
      </form>
    </Section>
  );
}

function PushSyncSection({ poolId, pushSync, onChanged }: { poolId: string; pushSync?: { ApplicationArns?: string[]; RoleArn?: string }; onChanged: () => void }) {
  const { api } = useSession();
  const [arns, setArns] = useState((pushSync?.ApplicationArns ?? []).join('\n'));
  const [roleArn, setRoleArn] = useState(pushSync?.RoleArn ?? '');
  const action = useAction();
  return (
    <Section title="Push sync">
      <Facts
        items={[
          ['SNS platform applications', pushSync?.ApplicationArns?.length ? <ul>{pushSync.ApplicationArns.map((a) => <li key={a} class="mono">{a}</li>)}</ul> : undefined],
          ['Role', <span class="mono">{pushSync?.RoleArn}</span>],
        ]}
      />
      <form
        class="form"
        onSubmit={async (event) => {
          event.preventDefault();
          const ApplicationArns = arns.split('\n').map((a) => a.trim()).filter(Boolean);
          if (await action.run(() => api.sync.send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, PushSync: { ApplicationArns, RoleArn: roleArn.trim() || undefined } })))) onChanged();
        }}
      >
        <div class="field">
          <label for="push-arns">SNS platform application ARNs (one per line)</label>
          <textarea id="push-arns" rows={3} value={arns} onInput={(e) => setArns((e.target as HTMLTextAreaElement).value)} />
        </div>
        <Field label="Push sync role ARN" value={roleArn} onInput={(e) => setRoleArn((e.target as HTMLInputElement).value)} />
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.running}>Save push sync</button>
      </form>
    </Section>
  );
}

function SyncTriggerSection({ poolId }: { poolId: string }) {
  const { api } = useSession();
  const events = useAsync(() => api.sync.send(new GetCognitoEventsCommand({ IdentityPoolId: poolId })), [poolId]);
  const [fn, setFn] = useState('');
  const action = useAction();
  useEffect(() => setFn(events.data?.Events?.SyncTrigger ?? ''), [events.data]);
  return (
    <Section title="Sync trigger (Cognito Events)">
      <ErrorNote error={events.error} onRetry={events.reload} />
      {events.data ? <Facts items={[['SyncTrigger function', <span class="mono">{events.data.Events?.SyncTrigger}</span>]]} /> : null}
      <form
        class="form"
        onSubmit={async (event) => {
          event.preventDefault();
          if (await action.run(() => api.sync.send(new SetCognitoEventsCommand({ IdentityPoolId: poolId, Events: { SyncTrigger: fn.trim() } })))) events.reload();
        }}
      >
        <Field label="Lambda function ARN" value={fn} hint="Empty removes the trigger." onInput={(e) => setFn((e.target as HTMLInputElement).value)} />
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.running}>Save sync trigger</button>
      </form>
    </Section>
  );
}
