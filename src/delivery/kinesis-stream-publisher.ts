// Puts Cognito Streams records on a Kinesis stream through the official AWS SDK clients, configured the standard
// way: credentials from the default chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, container or instance roles),
// endpoints from AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), region from AWS_REGION,
// else the region this server serves (a pool's stream lives in the pool's region).
//
// A record whose JSON does not fit in one Kinesis record (1 MiB with its partition key) has its sync records
// written to the S3 bucket configured for that (--streams-s3-bucket) and carries a presigned URL instead.
//
// The SDK modules load on the first record to publish: nodes of a deployment without Cognito Streams never
// carry them (tens of MB of RSS and start-up time).
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { type CognitoStreamRecord, partitionKeyOf, s3StreamRecord } from './cognito-stream-record.ts';
import { Lazy } from './lazy-load.ts';

/** Kinesis: data plus partition key of one record, and of one PutRecords call, and records per call. */
export const KINESIS_RECORD_MAX_BYTES = 1024 * 1024;
const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
const PUT_RECORDS_MAX_ENTRIES = 500;
const PUT_RECORDS_ROUNDS = 4;

/**
 * The stream cannot be written and will not be by retrying: it does not exist, access to it is denied, or its
 * encryption key is unusable. Cognito Streams then turns itself off for the pool (DisabledReason).
 */
export class StreamUnusableError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'StreamUnusableError';
    this.reason = reason;
  }
}

const UNUSABLE = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
]);

export interface StreamPublisherOptions {
  /** The region this server serves: used for Kinesis and S3 when AWS_REGION is not set. */
  fallbackRegion: string;
  /** Where payloads too large for Kinesis go; without one, such records wait in the outbox (and are logged). */
  s3Bucket?: string;
  /** How long the presigned URL of such a payload stays valid, in seconds. */
  s3UrlTtlSeconds: number;
  /** Loads the SDK modules; replaceable for tests of a failed load. */
  loadSdks?: () => Promise<StreamSdks>;
}

export interface StreamSdks {
  kinesisSdk: typeof import('@aws-sdk/client-kinesis');
  s3Sdk: typeof import('@aws-sdk/client-s3');
  presigner: typeof import('@aws-sdk/s3-request-presigner');
  httpHandler: typeof import('@smithy/node-http-handler');
}

const importStreamSdks = async (): Promise<StreamSdks> => {
  const [kinesisSdk, s3Sdk, presigner, httpHandler] = await Promise.all([
    import('@aws-sdk/client-kinesis'),
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
    import('@smithy/node-http-handler'),
  ]);
  return { kinesisSdk, s3Sdk, presigner, httpHandler };
};

/** One record to publish; `s3Key` names its sync records' object should they not fit inline. */
export interface OutgoingStreamRecord {
  record: CognitoStreamRecord;
  s3Key: string;
}

interface LoadedClients {
  kinesisSdk: typeof import('@aws-sdk/client-kinesis');
  s3Sdk: typeof import('@aws-sdk/client-s3');
  presigner: typeof import('@aws-sdk/s3-request-presigner');
  kinesis: KinesisClient;
  s3: S3Client;
}

export class KinesisStreamPublisher {
  private readonly clients: Lazy<LoadedClients>;
  private readonly options: StreamPublisherOptions;

  constructor(options: StreamPublisherOptions) {
    this.options = options;
    this.clients = new Lazy(() => this.createClients());
  }

  private loadClients(): Promise<LoadedClients> {
    return this.clients.get();
  }

  private async createClients(): Promise<LoadedClients> {
    const { kinesisSdk, s3Sdk, presigner, httpHandler } = await (this.options.loadSdks ?? importStreamSdks)();
    const region = process.env.AWS_REGION || this.options.fallbackRegion;
    // HTTP/1.1: the Kinesis client defaults to HTTP/2 (for SubscribeToShard), which Kinesis-compatible servers
    // (and proxies) often lack; PutRecord(s) work on both. Timeouts keep one attempt short; the outbox
    // delivery's deadline (its AbortSignal) bounds the whole publish, retries included, inside its lease.
    const requestHandler = () => new httpHandler.NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 15_000 });
    return {
      kinesisSdk,
      s3Sdk,
      presigner,
      kinesis: new kinesisSdk.KinesisClient({ region, maxAttempts: 2, requestHandler: requestHandler() }),
      s3: new s3Sdk.S3Client({ region, maxAttempts: 2, requestHandler: requestHandler() }),
    };
  }

  /**
   * Puts the records on the stream, in order. Throws StreamUnusableError, or another error worth retrying.
   * `signal` (the outbox delivery's deadline) aborts the calls in flight.
   */
  async publish(streamName: string, outgoing: OutgoingStreamRecord[], signal?: AbortSignal): Promise<void> {
    const entries: PutRecordsRequestEntry[] = [];
    for (const { record, s3Key } of outgoing) {
      const partitionKey = partitionKeyOf(record);
      let data = Buffer.from(JSON.stringify(record), 'utf8');
      if (data.length + Buffer.byteLength(partitionKey) > KINESIS_RECORD_MAX_BYTES) {
        data = Buffer.from(JSON.stringify(s3StreamRecord(record, await this.putPayload(record, s3Key, signal))), 'utf8');
      }
      entries.push({ Data: data, PartitionKey: partitionKey });
    }
    try {
      const { kinesis, kinesisSdk } = await this.loadClients();
      if (entries.length === 1) {
        await kinesis.send(
          new kinesisSdk.PutRecordCommand({ StreamName: streamName, Data: entries[0]!.Data, PartitionKey: entries[0]!.PartitionKey }),
          { abortSignal: signal },
        );
        return;
      }
      for (const batch of batches(entries)) await this.putBatch(streamName, batch, signal);
    } catch (error) {
      throw classified(error, streamName);
    }
  }

  /** PutRecords, then again with just the entries Kinesis refused (throttling, internal errors), a few times. */
  private async putBatch(streamName: string, batch: PutRecordsRequestEntry[], signal?: AbortSignal): Promise<void> {
    let pending = batch;
    for (let round = 1; ; round++) {
      const { kinesis, kinesisSdk } = await this.loadClients();
      const output = await kinesis.send(new kinesisSdk.PutRecordsCommand({ StreamName: streamName, Records: pending }), { abortSignal: signal });
      if (!output.FailedRecordCount) return;
      const failed = (output.Records ?? []).flatMap((result, i) => (result.ErrorCode ? [{ entry: pending[i]!, code: result.ErrorCode, message: result.ErrorMessage }] : []));
      const unusable = failed.find((f) => UNUSABLE.has(f.code));
      if (unusable) throw Object.assign(new Error(unusable.message ?? unusable.code), { name: unusable.code });
      if (round >= PUT_RECORDS_ROUNDS) throw new Error(`Kinesis refused ${failed.length} of ${pending.length} records: ${failed[0]?.code}: ${failed[0]?.message}`);
      pending = failed.map((f) => f.entry);
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** round));
      signal?.throwIfAborted();
    }
  }

  /** Writes the sync records as a JSON array to S3 and returns a presigned GET URL for them. */
  private async putPayload(record: CognitoStreamRecord, key: string, signal?: AbortSignal): Promise<string> {
    const bucket = this.options.s3Bucket;
    if (!bucket) {
      throw new Error(
        `a stream record of ${record.identityId}/${record.datasetName} (SyncCount ${record.syncCount}) is larger than a Kinesis record; ` +
          'set --streams-s3-bucket so such records can carry their data in S3',
      );
    }
    const { s3, s3Sdk, presigner } = await this.loadClients();
    await s3.send(
      new s3Sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(record.kinesisSyncRecords ?? []), ContentType: 'application/json' }),
      { abortSignal: signal },
    );
    return presigner.getSignedUrl(s3, new s3Sdk.GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: this.options.s3UrlTtlSeconds });
  }

  close(): void {
    void this.clients.started()?.then(
      ({ kinesis, s3 }) => {
        kinesis.destroy();
        s3.destroy();
      },
      () => {},
    );
  }
}

/** Consecutive runs of entries within PutRecords' limits, in order. */
function* batches(entries: PutRecordsRequestEntry[]): Generator<PutRecordsRequestEntry[]> {
  let batch: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = (entry.Data?.length ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '');
    if (batch.length > 0 && (batch.length === PUT_RECORDS_MAX_ENTRIES || bytes + size > PUT_RECORDS_MAX_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

function classified(error: unknown, streamName: string): Error {
  const name = (error as Error).name;
  if (!UNUSABLE.has(name)) return error as Error;
  const detail = (error as Error).message || name;
  if (name === 'ResourceNotFoundException') return new StreamUnusableError(`Kinesis stream '${streamName}' was not found (${detail}).`);
  if (name === 'AccessDeniedException') return new StreamUnusableError(`Access to Kinesis stream '${streamName}' was denied (${detail}).`);
  return new StreamUnusableError(`Kinesis stream '${streamName}' cannot be written: its encryption key is unusable (${name}: ${detail}).`);
}
