// The real Kinesis and S3 parts for Cognito Streams tests: kinesalite (a Kinesis implementation) and s3rver (an
// S3 implementation), started in this test process on 127.0.0.1 with free ports. The server under test reaches
// them through the standard AWS SDK variables in `env` (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL_S3, …), and the
// test reads what arrived with the official Kinesis and S3 clients.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const require = createRequire(import.meta.url);
const kinesalite = require('kinesalite') as (options: Record<string, unknown>) => Server;
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> };

/** s3rver's own key pair: with it, s3rver accepts the signatures of the server under test and of the test. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const STREAMS_REGION = 'us-east-1';

/** One record as a consumer reads it off the stream. */
export interface StreamedKinesisRecord {
  partitionKey: string;
  sequenceNumber: string;
  /** The record's data, parsed as JSON. */
  data: Record<string, unknown>;
}

export interface StreamServices {
  kinesisEndpoint: string;
  s3Endpoint: string;
  kinesis: KinesisClient;
  s3: S3Client;
  /** Environment for startServer: the standard AWS SDK configuration pointing at these two. */
  env: Record<string, string | undefined>;
  createStream(name: string, shards?: number): Promise<void>;
  createBucket(name: string): Promise<void>;
  /** Every record on the stream so far, all shards, in each shard's order (shards in id order). */
  readStream(name: string): Promise<StreamedKinesisRecord[]>;
  /** Reads the stream until `accept` holds for what is there, or fails after `timeoutMs`. */
  waitForStream(name: string, accept: (records: StreamedKinesisRecord[]) => boolean, timeoutMs?: number): Promise<StreamedKinesisRecord[]>;
  close(): Promise<void>;
}

export function streamsEnv(kinesisEndpoint: string, s3Endpoint: string): Record<string, string | undefined> {
  return {
    AWS_REGION: STREAMS_REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_KINESIS: kinesisEndpoint,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export async function startStreamServices(): Promise<StreamServices> {
  // createStreamMs 0: a new stream is ACTIVE at once.
  const kinesisServer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => kinesisServer.listen(0, '127.0.0.1', () => resolve()));
  const kinesisEndpoint = `http://127.0.0.1:${(kinesisServer.address() as AddressInfo).port}`;
  const s3Directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const s3Server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Directory });
  const s3Endpoint = `http://127.0.0.1:${(await s3Server.run()).port}`;

  const clientConfig = { region: STREAMS_REGION, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler() };
  const kinesis = new KinesisClient({ ...clientConfig, endpoint: kinesisEndpoint });
  const s3 = new S3Client({ ...clientConfig, endpoint: s3Endpoint, forcePathStyle: true });

  async function readStream(name: string): Promise<StreamedKinesisRecord[]> {
    const description = await kinesis.send(new DescribeStreamCommand({ StreamName: name }));
    const out: StreamedKinesisRecord[] = [];
    for (const shard of description.StreamDescription?.Shards ?? []) {
      let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' })))
        .ShardIterator;
      for (let page = 0; iterator && page < 1000; page++) {
        const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const record of got.Records ?? []) {
          out.push({
            partitionKey: record.PartitionKey!,
            sequenceNumber: record.SequenceNumber!,
            data: JSON.parse(Buffer.from(record.Data!).toString('utf8')) as Record<string, unknown>,
          });
        }
        if ((got.Records ?? []).length === 0 || !got.MillisBehindLatest) break;
        iterator = got.NextShardIterator;
      }
    }
    return out;
  }

  return {
    kinesisEndpoint,
    s3Endpoint,
    kinesis,
    s3,
    env: streamsEnv(kinesisEndpoint, s3Endpoint),
    async createStream(name, shards = 1) {
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      for (let i = 0; i < 100; i++) {
        const status = (await kinesis.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription?.StreamStatus;
        if (status === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`stream ${name} did not become ACTIVE`);
    },
    async createBucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    readStream,
    async waitForStream(name, accept, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const records = await readStream(name);
        if (accept(records)) return records;
        if (Date.now() > deadline) {
          throw new Error(`stream ${name} never reached the expected state; it holds ${records.length} record(s): ${JSON.stringify(records.map((r) => r.data)).slice(0, 2000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      kinesis.destroy();
      s3.destroy();
      await new Promise<void>((resolve) => kinesisServer.close(() => resolve()));
      await s3Server.close();
      rmSync(s3Directory, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP gate in front of a real endpoint: while shut, connections are accepted and what they send is held; once
 * opened, held and new connections flow through. Lets a test hold a node's deliveries at a known point
 * (a job IN_PROGRESS, an item claimed but not delivered) without timing.
 */
export interface Gate {
  endpoint: string;
  /** Connections that have arrived since the gate was made (held or passed). */
  connections(): number;
  open(): void;
  close(): Promise<void>;
}

export async function startGate(target: string): Promise<Gate> {
  const { hostname, port } = new URL(target);
  let opened = false;
  let arrived = 0;
  const held: Array<{ socket: Socket; chunks: Buffer[]; release(): void }> = [];
  const sockets = new Set<Socket>();
  const pass = (socket: Socket, chunks: Buffer[]) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    for (const chunk of chunks) upstream.write(chunk);
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
  };
  const server = createTcpServer((socket) => {
    arrived += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (opened) return pass(socket, []);
    const chunks: Buffer[] = [];
    const collect = (chunk: Buffer) => chunks.push(chunk);
    socket.on('data', collect);
    held.push({ socket, chunks, release: () => socket.off('data', collect) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => arrived,
    open() {
      opened = true;
      for (const entry of held.splice(0)) {
        entry.release();
        if (!entry.socket.destroyed) pass(entry.socket, entry.chunks);
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
