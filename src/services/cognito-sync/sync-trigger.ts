// The sync trigger (Cognito Events' SyncTrigger): during an UpdateRecords made with identity credentials, the
// pool's Lambda function sees the whole dataset with the device's changes and returns what is to be stored.
// It runs outside any store transaction: the dataset is read, the function invoked, and what it returned goes
// through the ordinary UpdateRecords write, whose SyncCount check catches anything that changed meanwhile.
//
// AWS's rules (developer guide, "Amazon Cognito Events"): every record present in the dataset is in the event;
// the device's changes carry op "replace" or "remove"; the function may change any record, add records, and
// remove one with op "remove" or a null newValue; records it leaves out are not written; the read-only fields
// must come back unchanged. 5 s to answer (LambdaSocketTimeoutException), a function error or bad output is
// InvalidLambdaFunctionOutputException, Lambda throttling is LambdaThrottledException.
import type { SyncTriggerInvocation, SyncTriggerInvoker } from '../../delivery/lambda-sync-trigger.ts';
import { ServiceError } from '../../protocol/errors.ts';
import type { DatasetAddress, DatasetStore, PoolSyncConfigurationStore, RecordPatchInput, RecordPosition, UpdateRecordsResult } from '../../store/store.ts';
import { SYNC_TRIGGER } from './cognito-events.ts';
import { identityNotFoundError } from './dataset-access.ts';

/** The RecordKey and RecordValue limits of the API model, which the function's records must keep too. */
const MAX_KEY_LENGTH = 1024;
const MAX_VALUE_LENGTH = 1_048_575;
const SNAPSHOT_PAGE = 1024;

interface StoredState {
  /** Null for a removed record (tombstone). */
  value: string | null;
  syncCount: number;
}

interface DatasetSnapshot {
  exists: boolean;
  syncCount: number;
  records: Map<string, StoredState>;
}

/** A record as the event carries it and as the function returns it. */
interface EventRecord {
  oldValue: string | null;
  newValue: string | null;
  op: 'replace' | 'remove';
}

export interface SyncTriggerEvent {
  version: 2;
  eventType: typeof SYNC_TRIGGER;
  region: string;
  identityPoolId: string;
  identityId: string;
  datasetName: string;
  datasetRecords: Record<string, EventRecord>;
}

const READ_ONLY_FIELDS = ['version', 'eventType', 'region', 'identityPoolId', 'identityId', 'datasetName'] as const;

/** What UpdateRecords writes after the trigger: these patches, or a refusal worded like any other. */
export type TriggeredUpdate =
  | { outcome: 'write'; patches: RecordPatchInput[] }
  | Exclude<UpdateRecordsResult, { outcome: 'ok' } | { outcome: 'identity-not-found' }>;

export interface SyncTriggerOptions {
  store: PoolSyncConfigurationStore & DatasetStore;
  invoker: SyncTriggerInvoker;
  timeoutMs: number;
}

const invalidOutput = (problem: string) =>
  new ServiceError('InvalidLambdaFunctionOutputException', `The sync trigger function's output is not valid: ${problem}`);

export class SyncTrigger {
  private readonly options: SyncTriggerOptions;

  constructor(options: SyncTriggerOptions) {
    this.options = options;
  }

  /**
   * Runs the pool's SyncTrigger, if it has one, over a device's batch and answers what to write instead.
   * Pools without a trigger get the batch back untouched.
   */
  async apply(address: DatasetAddress, patches: RecordPatchInput[], push: { region: string; syncSessionId: string }): Promise<TriggeredUpdate> {
    const config = await this.options.store.getPoolSyncConfiguration(address.identityPoolId);
    const functionArn = config.cognitoEvents?.[SYNC_TRIGGER];
    if (!functionArn) return { outcome: 'write', patches };
    // A spent token must not run the function (it may have side effects); the write would refuse it anyway.
    if (await this.options.store.isSyncSessionSpent(push.syncSessionId)) return { outcome: 'session-spent' };

    const snapshot = await this.readDataset(address);
    // A batch the write would refuse anyway is refused before the function runs: it may have side effects.
    const refusal = staleSyncCount(snapshot, patches);
    if (refusal) return refusal;

    const event = buildEvent(address, push.region, snapshot, patches);
    const invocation = await this.options.invoker.invoke(functionArn, event, this.options.timeoutMs);
    const returned = parseOutput(outputOf(invocation, functionArn), event);
    return { outcome: 'write', patches: patchesToWrite(snapshot, patches, returned) };
  }

  /** The whole dataset, tombstones included, in pages of the store's ordinary listing. */
  private async readDataset(address: DatasetAddress): Promise<DatasetSnapshot> {
    const records = new Map<string, StoredState>();
    let after: RecordPosition | undefined;
    let exists = false;
    let syncCount = 0;
    do {
      const page = await this.options.store.listRecords(address, { lastSyncCount: 0, limit: SNAPSHOT_PAGE, after });
      if (page.outcome === 'identity-not-found') throw identityNotFoundError(address.identityPoolId, address.identityId, page);
      if (page.outcome !== 'ok') throw new Error(`unexpected listRecords outcome ${page.outcome} from lastSyncCount 0`);
      exists = page.dataset !== undefined;
      syncCount = page.dataset?.syncCount ?? 0;
      for (const record of page.records) records.set(record.key, { value: record.value ?? null, syncCount: record.syncCount });
      after = page.nextAfter;
    } while (after !== undefined);
    return { exists, syncCount, records };
  }
}

/**
 * The SyncCount rule of record-patch-plan.ts, applied to the snapshot. A dataset that does not exist has no
 * count to be ahead of (its deletion marker is the store's to know), so every mismatch there is a conflict.
 */
function staleSyncCount(snapshot: DatasetSnapshot, patches: RecordPatchInput[]): TriggeredUpdate | undefined {
  for (const patch of patches) {
    if (snapshot.exists && patch.syncCount > snapshot.syncCount) {
      return { outcome: 'sync-count-ahead', key: patch.key, given: patch.syncCount, datasetSyncCount: snapshot.syncCount };
    }
    const current = snapshot.records.get(patch.key)?.syncCount ?? 0;
    if (current !== patch.syncCount) return { outcome: 'conflict', key: patch.key, current, given: patch.syncCount };
  }
  return undefined;
}

function buildEvent(address: DatasetAddress, region: string, snapshot: DatasetSnapshot, patches: RecordPatchInput[]): SyncTriggerEvent {
  // Record keys are arbitrary text ("__proto__" included): entries are defined, never assigned.
  const entries: Array<[string, EventRecord]> = [];
  const patched = new Set(patches.map((patch) => patch.key));
  for (const [key, stored] of snapshot.records) {
    if (stored.value !== null && !patched.has(key)) entries.push([key, { oldValue: stored.value, newValue: stored.value, op: 'replace' }]);
  }
  for (const patch of patches) {
    const oldValue = snapshot.records.get(patch.key)?.value ?? null;
    entries.push([patch.key, { oldValue, newValue: patch.op === 'replace' ? (patch.value ?? null) : null, op: patch.op }]);
  }
  return {
    version: 2,
    eventType: SYNC_TRIGGER,
    region,
    identityPoolId: address.identityPoolId,
    identityId: address.identityId,
    datasetName: address.datasetName,
    datasetRecords: Object.fromEntries(entries),
  };
}

function outputOf(invocation: SyncTriggerInvocation, functionArn: string): string {
  switch (invocation.outcome) {
    case 'returned':
      return invocation.payload;
    case 'function-error':
      throw new ServiceError('InvalidLambdaFunctionOutputException', `The sync trigger function ${functionArn} failed: ${invocation.message}`);
    case 'throttled':
      throw new ServiceError('LambdaThrottledException', `AWS Lambda throttled the sync trigger function ${functionArn}: ${invocation.message} Retry the update.`);
    case 'timed-out':
      // Not in botocore's model; the API reference and the developer guide name it, and the generator adds it
      // (HTTP 400) from scripts/model/additions.ts.
      throw new ServiceError(
        'LambdaSocketTimeoutException',
        `The sync trigger function ${functionArn} did not respond within ${invocation.timeoutMs} ms; nothing was written.`,
      );
    case 'refused':
      throw new ServiceError('InvalidLambdaFunctionOutputException', `The sync trigger function ${functionArn} could not be invoked: ${invocation.code}: ${invocation.message}`);
    case 'unavailable':
      throw new ServiceError('InternalErrorException', `The sync trigger function ${functionArn} could not be reached; nothing was written. Retry the update.`, { status: 500 });
  }
}

/** The returned records, checked: key → the value to store, or null to remove the record. */
function parseOutput(payload: string, event: SyncTriggerEvent): Map<string, string | null> {
  let output: unknown;
  try {
    output = JSON.parse(payload);
  } catch {
    throw invalidOutput(`it is not JSON (${payload.length === 0 ? 'empty' : `begins '${payload.slice(0, 64)}'`}).`);
  }
  if (!isObject(output)) throw invalidOutput('it must be the event object, with datasetRecords.');
  for (const field of READ_ONLY_FIELDS) {
    if (field in output && output[field] !== event[field]) {
      throw invalidOutput(`${field} is read-only: sent ${JSON.stringify(event[field])}, returned ${JSON.stringify(output[field])?.slice(0, 128)}.`);
    }
  }
  const records = output.datasetRecords;
  if (!isObject(records)) throw invalidOutput('datasetRecords must be an object mapping record keys to {newValue, op}.');

  const desired = new Map<string, string | null>();
  for (const [key, record] of Object.entries(records)) {
    const where = `datasetRecords['${key.length > 64 ? `${key.slice(0, 64)}...` : key}']`;
    if (key.length < 1 || key.length > MAX_KEY_LENGTH) throw invalidOutput(`${where}: a record key must be 1 to ${MAX_KEY_LENGTH} characters.`);
    if (!isObject(record)) throw invalidOutput(`${where} must be an object {newValue, op}.`);
    if (record.op !== 'replace' && record.op !== 'remove') {
      throw invalidOutput(`${where}.op must be 'replace' or 'remove', got ${JSON.stringify(record.op) ?? 'nothing'}.`);
    }
    if (record.op === 'remove') {
      desired.set(key, null);
      continue;
    }
    const value = record.newValue;
    if (value !== null && typeof value !== 'string') {
      throw invalidOutput(`${where}.newValue must be a string (or null to remove the record), got ${value === undefined ? 'nothing' : typeof value}.`);
    }
    if (value !== null && value.length > MAX_VALUE_LENGTH) {
      throw invalidOutput(`${where}.newValue is ${value.length} characters; a record value holds at most ${MAX_VALUE_LENGTH}.`);
    }
    desired.set(key, value);
  }
  return desired;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The device's patches the function kept (with the device's SyncCount, so a stale device still conflicts), and
 * every other record whose returned state differs from the stored one (with the SyncCount read, so a write
 * that slipped in since is a conflict rather than lost). Records the function returned unchanged are not
 * rewritten: other devices would pull them again for nothing.
 */
function patchesToWrite(snapshot: DatasetSnapshot, devicePatches: RecordPatchInput[], desired: Map<string, string | null>): RecordPatchInput[] {
  const patches: RecordPatchInput[] = [];
  const byKey = new Map(devicePatches.map((patch) => [patch.key, patch]));
  for (const [key, value] of desired) {
    const devicePatch = byKey.get(key);
    const stored = snapshot.records.get(key);
    if (!devicePatch && (stored?.value ?? null) === value) continue;
    patches.push({
      op: value === null ? 'remove' : 'replace',
      key,
      value: value ?? undefined,
      syncCount: devicePatch ? devicePatch.syncCount : (stored?.syncCount ?? 0),
      deviceLastModifiedAt: devicePatch?.deviceLastModifiedAt,
    });
  }
  return patches;
}
