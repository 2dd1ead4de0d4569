// Command-line flags and environment variables → one validated configuration object.
import { parseArgs } from 'node:util';
import { MAX_SERVER_KEY_ID } from './crypto/server-keys.ts';
import { parseTrustedProxies, type TrustedProxies } from './http/client-address.ts';
import { type ProviderEndpoints, parseProviderEndpoints } from './auth/login-providers/provider-endpoints.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  /** Requests per second per account, and per client address; 0 turns throttling off. */
  rateLimit: number;
  /** Which proxies' `X-Forwarded-For` names the client (for throttling by client address); none when absent. */
  trustedProxies?: TrustedProxies;
  maxBodyBytes: number;
  /** How long a client may take to send a request's headers, and its whole request (headers and body). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  logLevel: string;
  /** The server keys in use (see crypto/server-keys.ts), the current one first. */
  serverKeyIds: number[];
  /** Lifetime of the temporary credentials GetCredentialsForIdentity issues, in seconds (AWS: 1 hour). */
  credentialsTtlSeconds: number;
  /** PostgreSQL store when set (postgres://…); the embedded SQLite store in `dataDir` otherwise. */
  database?: DatabaseConfig;
  /** Redis for throttling shared by every node; per-node throttling when absent. */
  redisUrl?: string;
  /** How long shutdown waits for in-flight requests before cutting their connections. */
  shutdownGraceMs: number;
  /** Cognito Sync quotas; AWS's are 20 datasets per identity, 1,024 records and 1 MB (1,048,576 bytes) per dataset. */
  syncQuotas: { maxDatasetsPerIdentity: number; maxRecordsPerDataset: number; maxDatasetBytes: number };
  /** How long a SyncSessionToken from ListRecords is good for UpdateRecords, in seconds (default 1 hour). */
  syncSessionTtlSeconds: number;
  /** How long UpdateRecords waits for a pool's sync trigger (Lambda) function; AWS allows 5 s. */
  syncTriggerTimeoutMs: number;
  developerKey?: { accessKeyId: string; secretAccessKey: string; accountId?: string };
  /** Cognito Streams: where records too large for one Kinesis record put their data (none: they wait, logged). */
  streamsS3Bucket?: string;
  /** How long the presigned URL of such data stays valid, in seconds (SigV4 allows at most 7 days). */
  streamsS3UrlTtlSeconds: number;
  /** How long a node's claim on an outbox item lasts before another node may take it over. */
  outboxLeaseMs: number;
  /** How often an idle node looks for outbox items queued by other nodes. */
  outboxPollMs: number;
  /** Failed attempts after which an outbox item becomes a dead letter (kept, not retried until an operator says). */
  outboxMaxAttempts: number;
  logins: LoginConfig;
  /** Serve the operator's console (static files) at /console/. */
  console: boolean;
  /**
   * For the test suite only (COGNITO_SYNC_STRICT_MODEL=1, no flag): an output member or a handler's error that
   * the model does not declare fails the request (500) instead of being dropped or sent (see pipeline.ts).
   */
  strictModel: boolean;
}

/** Verifying logins of public providers (README: "Signing in with login providers"). */
export interface LoginConfig {
  /** Base URLs that replace a provider's own for every outbound call (tests, mirrors, air-gapped sites). */
  providerEndpoints: ProviderEndpoints;
  /** How long one call to a provider may take before the login is answered ExternalServiceException. */
  providerTimeoutMs: number;
  /** Least time between two fetches of a provider's keys caused by tokens with unknown key ids. */
  keyRefetchCooldownMs: number;
  /** The operator's JSON file of IAM OIDC client ids and SAML IdP metadata, read at start. */
  iamProvidersFile?: string;
  /** The operator's mapping of imported identities to their users' logins, read at start. */
  loginMappingFile?: string;
}

export interface DatabaseConfig {
  /** The connection URL without our own `schema` parameter. */
  url: string;
  /** The PostgreSQL schema holding our tables (created if missing); `public` unless set. */
  schema: string;
  /** Connections each node keeps open at most. */
  poolSize: number;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Connections per node: enough for the request concurrency one Node process sustains (the event loop is
 *  single-threaded; a store call holds a connection for one short transaction), small enough that many
 *  nodes fit under PostgreSQL's default max_connections of 100. */
export const DEFAULT_DATABASE_POOL_SIZE = 10;

const OPTIONS = {
  host: { type: 'string', env: 'COGNITO_SYNC_HOST', default: '127.0.0.1' },
  port: { type: 'string', env: 'COGNITO_SYNC_PORT', default: '4650' },
  'data-dir': { type: 'string', env: 'COGNITO_SYNC_DATA_DIR', default: './data' },
  region: { type: 'string', env: 'COGNITO_SYNC_REGION', default: 'us-east-1' },
  'rate-limit': { type: 'string', env: 'COGNITO_SYNC_RATE_LIMIT', default: '1000' },
  'max-body-bytes': { type: 'string', env: 'COGNITO_SYNC_MAX_BODY_BYTES', default: String(DEFAULT_MAX_BODY_BYTES) },
  'headers-timeout-ms': { type: 'string', env: 'COGNITO_SYNC_HEADERS_TIMEOUT_MS', default: '10000' },
  'request-timeout-ms': { type: 'string', env: 'COGNITO_SYNC_REQUEST_TIMEOUT_MS', default: '60000' },
  'log-level': { type: 'string', env: 'COGNITO_SYNC_LOG_LEVEL', default: 'info' },
  'credentials-ttl': { type: 'string', env: 'COGNITO_SYNC_CREDENTIALS_TTL', default: '3600' },
  'server-key-ids': { type: 'string', env: 'COGNITO_SYNC_SERVER_KEY_IDS', default: '1' },
  'database-url': { type: 'string', env: 'COGNITO_SYNC_DATABASE_URL', default: '' },
  'database-schema': { type: 'string', env: 'COGNITO_SYNC_DATABASE_SCHEMA', default: '' },
  'database-pool-size': { type: 'string', env: 'COGNITO_SYNC_DATABASE_POOL_SIZE', default: String(DEFAULT_DATABASE_POOL_SIZE) },
  'redis-url': { type: 'string', env: 'COGNITO_SYNC_REDIS_URL', default: '' },
  'trusted-proxies': { type: 'string', env: 'COGNITO_SYNC_TRUSTED_PROXIES', default: '' },
  'shutdown-grace-seconds': { type: 'string', env: 'COGNITO_SYNC_SHUTDOWN_GRACE_SECONDS', default: '10' },
  'max-datasets-per-identity': { type: 'string', env: 'COGNITO_SYNC_MAX_DATASETS_PER_IDENTITY', default: '20' },
  'max-records-per-dataset': { type: 'string', env: 'COGNITO_SYNC_MAX_RECORDS_PER_DATASET', default: '1024' },
  'max-dataset-bytes': { type: 'string', env: 'COGNITO_SYNC_MAX_DATASET_BYTES', default: String(1024 * 1024) },
  'sync-session-ttl': { type: 'string', env: 'COGNITO_SYNC_SYNC_SESSION_TTL', default: '3600' },
  'sync-trigger-timeout-ms': { type: 'string', env: 'COGNITO_SYNC_SYNC_TRIGGER_TIMEOUT_MS', default: '5000' },
  'streams-s3-bucket': { type: 'string', env: 'COGNITO_SYNC_STREAMS_S3_BUCKET', default: '' },
  'streams-s3-url-ttl': { type: 'string', env: 'COGNITO_SYNC_STREAMS_S3_URL_TTL', default: '604800' },
  'outbox-lease-seconds': { type: 'string', env: 'COGNITO_SYNC_OUTBOX_LEASE_SECONDS', default: '60' },
  'outbox-poll-ms': { type: 'string', env: 'COGNITO_SYNC_OUTBOX_POLL_MS', default: '1000' },
  'outbox-max-attempts': { type: 'string', env: 'COGNITO_SYNC_OUTBOX_MAX_ATTEMPTS', default: '100' },
  'login-provider-timeout-ms': { type: 'string', env: 'COGNITO_SYNC_LOGIN_PROVIDER_TIMEOUT_MS', default: '5000' },
  'login-provider-key-refetch-seconds': { type: 'string', env: 'COGNITO_SYNC_LOGIN_PROVIDER_KEY_REFETCH_SECONDS', default: '30' },
  'iam-providers-file': { type: 'string', env: 'COGNITO_SYNC_IAM_PROVIDERS_FILE', default: '' },
  'login-mapping-file': { type: 'string', env: 'COGNITO_SYNC_LOGIN_MAPPING_FILE', default: '' },
  console: { type: 'string', env: 'COGNITO_SYNC_CONSOLE', default: 'true' },
} as const;

/** Repeatable: each `--login-provider-endpoint <provider>=<base URL>` adds one; the variable holds them comma-separated. */
const LOGIN_PROVIDER_ENDPOINT = { flag: 'login-provider-endpoint', env: 'COGNITO_SYNC_LOGIN_PROVIDER_ENDPOINTS' } as const;

export class ConfigError extends Error {}

function integerIn(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
  return n;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const parsed = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(OPTIONS).map((k) => [k, { type: 'string' as const }])),
      [LOGIN_PROVIDER_ENDPOINT.flag]: { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  }).values as Record<string, string | undefined> & { [LOGIN_PROVIDER_ENDPOINT.flag]?: string[] };
  const value = (name: keyof typeof OPTIONS) => parsed[name] ?? env[OPTIONS[name].env] ?? OPTIONS[name].default;

  const region = value('region');
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`region must look like us-east-1, got '${region}'`);
  const logLevel = value('log-level');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError(`unknown log level '${logLevel}'`);

  const config: Config = {
    host: value('host'),
    port: integerIn('port', value('port'), 0, 65535),
    dataDir: value('data-dir'),
    region,
    rateLimit: integerIn('rate-limit', value('rate-limit'), 0, 10_000_000),
    maxBodyBytes: integerIn('max-body-bytes', value('max-body-bytes'), 1024, 1024 * 1024 * 1024),
    headersTimeoutMs: integerIn('headers-timeout-ms', value('headers-timeout-ms'), 100, 600_000),
    requestTimeoutMs: integerIn('request-timeout-ms', value('request-timeout-ms'), 100, 3_600_000),
    logLevel,
    credentialsTtlSeconds: integerIn('credentials-ttl', value('credentials-ttl'), 1, 43_200),
    serverKeyIds: serverKeyIds(value('server-key-ids')),
    database: databaseConfig(value('database-url'), value('database-schema'), value('database-pool-size')),
    redisUrl: redisUrl(value('redis-url')),
    trustedProxies: trustedProxies(value('trusted-proxies')),
    shutdownGraceMs: integerIn('shutdown-grace-seconds', value('shutdown-grace-seconds'), 0, 3600) * 1000,
    syncQuotas: {
      maxDatasetsPerIdentity: integerIn('max-datasets-per-identity', value('max-datasets-per-identity'), 1, 1_000_000),
      maxRecordsPerDataset: integerIn('max-records-per-dataset', value('max-records-per-dataset'), 1, 10_000_000),
      maxDatasetBytes: integerIn('max-dataset-bytes', value('max-dataset-bytes'), 1, 1024 * 1024 * 1024),
    },
    syncSessionTtlSeconds: integerIn('sync-session-ttl', value('sync-session-ttl'), 1, 86_400),
    syncTriggerTimeoutMs: integerIn('sync-trigger-timeout-ms', value('sync-trigger-timeout-ms'), 1, 60_000),
    streamsS3Bucket: s3BucketName(value('streams-s3-bucket')),
    streamsS3UrlTtlSeconds: integerIn('streams-s3-url-ttl', value('streams-s3-url-ttl'), 1, 604_800),
    outboxLeaseMs: integerIn('outbox-lease-seconds', value('outbox-lease-seconds'), 1, 3600) * 1000,
    outboxPollMs: integerIn('outbox-poll-ms', value('outbox-poll-ms'), 10, 60_000),
    outboxMaxAttempts: integerIn('outbox-max-attempts', value('outbox-max-attempts'), 1, 100_000),
    logins: {
      providerEndpoints: providerEndpoints(parsed[LOGIN_PROVIDER_ENDPOINT.flag], env[LOGIN_PROVIDER_ENDPOINT.env]),
      providerTimeoutMs: integerIn('login-provider-timeout-ms', value('login-provider-timeout-ms'), 1, 60_000),
      keyRefetchCooldownMs: integerIn('login-provider-key-refetch-seconds', value('login-provider-key-refetch-seconds'), 0, 86_400) * 1000,
      iamProvidersFile: value('iam-providers-file') || undefined,
      loginMappingFile: value('login-mapping-file') || undefined,
    },
    console: booleanFlag('console', value('console')),
    strictModel: strictModel(env.COGNITO_SYNC_STRICT_MODEL),
  };

  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError(`headers-timeout-ms (${config.headersTimeoutMs}) must not exceed request-timeout-ms (${config.requestTimeoutMs}): the request timeout covers the headers too`);
  }

  const accessKeyId = env.COGNITO_SYNC_ACCESS_KEY_ID;
  const secretAccessKey = env.COGNITO_SYNC_SECRET_ACCESS_KEY;
  const accountId = env.COGNITO_SYNC_ACCOUNT_ID;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError('COGNITO_SYNC_ACCESS_KEY_ID and COGNITO_SYNC_SECRET_ACCESS_KEY must be set together');
  }
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) throw new ConfigError('COGNITO_SYNC_ACCOUNT_ID must be 12 digits');
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId)) throw new ConfigError('COGNITO_SYNC_ACCESS_KEY_ID must be 16-128 upper-case letters and digits');
    if (secretAccessKey.length < 16) throw new ConfigError('COGNITO_SYNC_SECRET_ACCESS_KEY must be at least 16 characters');
    config.developerKey = { accessKeyId, secretAccessKey, accountId };
  } else if (accountId !== undefined) {
    throw new ConfigError('COGNITO_SYNC_ACCOUNT_ID needs COGNITO_SYNC_ACCESS_KEY_ID and COGNITO_SYNC_SECRET_ACCESS_KEY');
  }
  return config;
}

/** Flags win over the variable as a whole, as every other setting's flag wins over its variable. */
function providerEndpoints(flags: string[] | undefined, variable: string | undefined): ProviderEndpoints {
  const entries = flags ?? (variable ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
  try {
    return parseProviderEndpoints(entries);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function booleanFlag(name: string, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(`${name} must be true or false, got '${text}'`);
}

function strictModel(text: string | undefined): boolean {
  if (text === undefined || text === '' || text === '0') return false;
  if (text === '1') return true;
  throw new ConfigError(`COGNITO_SYNC_STRICT_MODEL must be 1 or 0, got '${text}'`);
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `schema` may come from the flag/variable or from a `?schema=` parameter on the URL; the flag wins. */
function databaseConfig(urlText: string, schemaFlag: string, poolSizeText: string): DatabaseConfig | undefined {
  if (urlText === '') return undefined;
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new ConfigError('database-url must be a URL like postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`database-url must start with postgres:// or postgresql://, got '${url.protocol}//'`);
  }
  const schemaParam = url.searchParams.get('schema') ?? '';
  url.searchParams.delete('schema');
  const schema = schemaFlag || schemaParam || 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(`database schema must be 1-63 lower-case letters, digits and underscores, not starting with a digit, got '${schema}'`);
  }
  return { url: url.toString(), schema, poolSize: integerIn('database-pool-size', poolSizeText, 1, 1000) };
}

/** `2,1`: key 2 seals and signs, key 1 still opens and verifies. */
function serverKeyIds(text: string): number[] {
  const ids = text.split(',').map((part) => integerIn('server-key-ids entry', part.trim(), 1, MAX_SERVER_KEY_ID));
  if (new Set(ids).size !== ids.length) throw new ConfigError(`server-key-ids must not name a key twice, got '${text}'`);
  return ids;
}

function trustedProxies(text: string): TrustedProxies | undefined {
  try {
    return parseTrustedProxies(text);
  } catch (error) {
    throw new ConfigError(`trusted-proxies must be a hop count or a comma-separated list of addresses and CIDR blocks: ${(error as Error).message}`);
  }
}

function redisUrl(text: string): string | undefined {
  if (text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('redis-url must be a URL like redis://host:6379');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(`redis-url must start with redis:// or rediss://, got '${url.protocol}//'`);
  return text;
}

/** S3's bucket naming rules (lower-case letters, digits, dots and hyphens, 3-63 characters). */
function s3BucketName(text: string): string | undefined {
  if (text === '') return undefined;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(text)) {
    throw new ConfigError(`streams-s3-bucket must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens), got '${text}'`);
  }
  return text;
}
