// One dataset's records, read as a device reads them (ListRecords from SyncCount 0, every page), tombstones
// included. A change is a normal sync: UpdateRecords with the session token of that read and each record's
// SyncCount as read, so devices receive it like any other device's change, and a device that wrote in between
// makes it fail with 409 (shown; "Reload and retry" reads again and sends the same change on the new counts).
import { DeleteDatasetCommand, ListRecordsCommand, type ListRecordsCommandOutput, type _Record, type RecordPatch, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { useState } from 'preact/hooks';
import { useSession } from '../context.ts';
import type { Api } from '../aws.ts';
import { isConflict } from '../errors.ts';
import { href, navigate } from '../router.ts';
import { useAction, useAsync } from '../ui/async.ts';
import { Badge, Busy, ConfirmButton, Done, Empty, ErrorNote, Facts, Field, Progress, Section, When } from '../ui/components.tsx';

interface Snapshot {
  records: _Record[];
  datasetSyncCount: number;
  exists: boolean;
  sessionToken?: string;
  lastModifiedBy?: string;
  mergedDatasetNames: string[];
}

/** The change the operator asked for, kept so a retry after a conflict sends it again on fresh counts. */
type Change = { op: 'replace'; key: string; value: string } | { op: 'remove'; key: string };

async function readDataset(api: Api, where: { IdentityPoolId: string; IdentityId: string; DatasetName: string }, onProgress: (n: number) => void): Promise<Snapshot> {
  const records: _Record[] = [];
  let nextToken: string | undefined;
  let first: ListRecordsCommandOutput | undefined;
  do {
    const page = await api.sync.send(new ListRecordsCommand({ ...where, LastSyncCount: 0, NextToken: nextToken, SyncSessionToken: first?.SyncSessionToken }));
    first ??= page;
    records.push(...(page.Records ?? []));
    onProgress(records.length);
    nextToken = page.NextToken;
  } while (nextToken);
  records.sort((a, b) => (a.Key! < b.Key! ? -1 : a.Key! > b.Key! ? 1 : 0));
  if (!first) throw new Error('ListRecords gave no page');
  return {
    records,
    datasetSyncCount: first.DatasetSyncCount ?? 0,
    exists: Boolean(first.DatasetExists),
    sessionToken: first.SyncSessionToken,
    lastModifiedBy: first.LastModifiedBy,
    mergedDatasetNames: first.MergedDatasetNames ?? [],
  };
}

export function DatasetPage({ poolId, identityId, datasetName }: { poolId: string; identityId: string; datasetName: string }) {
  const { api } = useSession();
  const where = { IdentityPoolId: poolId, IdentityId: identityId, DatasetName: datasetName };
  const [loaded, setLoaded] = useState(0);
  const snapshot = useAsync(() => readDataset(api, where, setLoaded), [poolId, identityId, datasetName]);
  const write = useAction();
  const remove = useAction();
  const [pending, setPending] = useState<Change>();
  const [written, setWritten] = useState<string>();
  const [editKey, setEditKey] = useState('');
  const [editValue, setEditValue] = useState('');

  const send = async (change: Change, base: Snapshot) => {
    setPending(change);
    setWritten(undefined);
    const current = base.records.find((r) => r.Key === change.key);
    const patch: RecordPatch =
      change.op === 'replace'
        ? { Op: 'replace', Key: change.key, Value: change.value, SyncCount: current?.SyncCount ?? 0 }
        : { Op: 'remove', Key: change.key, SyncCount: current?.SyncCount ?? 0 };
    const answer = await write.run(() => api.sync.send(new UpdateRecordsCommand({ ...where, SyncSessionToken: base.sessionToken, RecordPatches: [patch] })));
    if (answer) {
      setPending(undefined);
      setWritten(`${change.op === 'replace' ? 'Saved' : 'Removed'} ${change.key}: the dataset is now at SyncCount ${answer.Records?.[0]?.SyncCount ?? '?'}.`);
      setEditKey('');
      setEditValue('');
      snapshot.reload();
    }
  };
  const retry = async () => {
    if (!pending) return;
    // A fresh read: its session token and the counts the device's write left.
    const fresh = await write.run(() => readDataset(api, where, setLoaded));
    if (fresh) await send(pending, fresh);
  };
  const deleteDataset = async () => {
    if (await remove.run(() => api.sync.send(new DeleteDatasetCommand(where)))) navigate('pools', poolId, 'identities', identityId);
  };

  const s = snapshot.data;
  const live = s?.records.filter((r) => r.Value !== undefined) ?? [];
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumbs">
        <a href={href('pools')}>Identity pools</a> / <a href={href('pools', poolId, 'identities')}>{poolId}</a> /{' '}
        <a href={href('pools', poolId, 'identities', identityId)} class="mono">{identityId}</a> / <span>{datasetName}</span>
      </nav>
      <h1>Dataset {datasetName}</h1>
      <ErrorNote error={snapshot.error} onRetry={snapshot.reload} />
      {snapshot.loading ? <Progress label={`Reading records… ${loaded} so far`} value={loaded} /> : null}
      {s ? (
        <Section title="Records" actions={<button type="button" onClick={snapshot.reload}>Refresh</button>}>
          <Facts
            items={[
              ['Dataset sync count', <span data-testid="dataset-sync-count">{s.datasetSyncCount}</span>],
              ['Exists', s.exists ? 'yes' : 'no (never written, or deleted)'],
              ['Live records', String(live.length)],
              ['Removed records (tombstones)', String(s.records.length - live.length)],
              ['Last modified by', <span class="mono">{s.lastModifiedBy}</span>],
              ['Merged datasets', s.mergedDatasetNames.length ? s.mergedDatasetNames.join(', ') : undefined],
            ]}
          />
          {s.records.length === 0 ? <Empty>No records.</Empty> : null}
          {s.records.length ? (
            <table class="records">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Value</th>
                  <th scope="col">SyncCount</th>
                  <th scope="col">Last modified</th>
                  <th scope="col">Device time</th>
                  <th scope="col">Last modified by</th>
                  <th scope="col"><span class="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {s.records.map((record) => (
                  <tr key={record.Key} class={record.Value === undefined ? 'tombstone' : undefined}>
                    <td class="mono">{record.Key}</td>
                    <td class="mono value">{record.Value === undefined ? <Badge tone="plain">removed</Badge> : record.Value}</td>
                    <td>{record.SyncCount}</td>
                    <td><When date={record.LastModifiedDate} /></td>
                    <td><When date={record.DeviceLastModifiedDate} /></td>
                    <td class="mono">{record.LastModifiedBy}</td>
                    <td class="row-actions">
                      {record.Value !== undefined ? (
                        <>
                          <button
                            type="button"
                            onClick={() => {
                              setEditKey(record.Key!);
                              setEditValue(record.Value ?? '');
                              document.getElementById('record-editor')?.querySelector('input')?.focus();
                            }}
                          >
                            Edit {record.Key}
                          </button>
                          <button type="button" disabled={write.running} onClick={() => send({ op: 'remove', key: record.Key! }, s)}>
                            Remove {record.Key}
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </Section>
      ) : null}
      {s ? (
        <Section title="Add or change a record">
          <form
            id="record-editor"
            class="form"
            onSubmit={(event) => {
              event.preventDefault();
              void send({ op: 'replace', key: editKey, value: editValue }, s);
            }}
          >
            <Field label="Record key" required maxLength={1024} value={editKey} onInput={(e) => setEditKey((e.target as HTMLInputElement).value)} />
            <Field label="Record value" value={editValue} maxLength={1048575} onInput={(e) => setEditValue((e.target as HTMLInputElement).value)} />
            <button type="submit" class="primary" disabled={write.running || !editKey}>
              {write.running ? 'Saving…' : 'Save record'}
            </button>
          </form>
          <ErrorNote
            error={write.error}
            onRetry={pending && isConflict(write.error) ? retry : undefined}
            retryLabel="Reload and retry"
          />
          {written ? <Done>{written}</Done> : null}
        </Section>
      ) : null}
      <Section title="Delete this dataset">
        <p class="muted">Devices holding it learn of the deletion on their next sync (DatasetDeletedAfterRequestedSyncCount) and purge their copy.</p>
        <ErrorNote error={remove.error} />
        <ConfirmButton label="Delete dataset…" question={`Delete dataset ${datasetName} and all its records?`} confirmLabel="Delete dataset" onConfirm={deleteDataset} busy={remove.running} />
      </Section>
      {snapshot.loading && !s ? <Busy label="Loading…" /> : null}
    </>
  );
}
