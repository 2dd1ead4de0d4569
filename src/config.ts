// Command-line flags and environment variables → one validated configuration object.
import { parseArgs } from 'node:util';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  /** Requests per second per account; 0 turns throttling off. */
  rateLimit: number;
  maxBodyBytes: number;
  logLevel: string;
  /** Lifetime of the temporary credentials GetCredentialsForIdentity issues, in seconds (AWS: 1 hour). */
  credentialsTtlSeconds: number;
  developerKey?: { accessKeyId: string; secretAccessKey: string; accountId?: string };
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

const OPTIONS = {
  host: { type: 'string', env: 'COGNITO_SYNC_HOST', default: '127.0.0.1' },
  port: { type: 'string', env: 'COGNITO_SYNC_PORT', default: '4650' },
  'data-dir': { type: 'string', env: 'COGNITO_SYNC_DATA_DIR', default: './data' },
  region: { type: 'string', env: 'COGNITO_SYNC_REGION', default: 'us-east-1' },
  'rate-limit': { type: 'string', env: 'COGNITO_SYNC_RATE_LIMIT', default: '1000' },
  'max-body-bytes': { type: 'string', env: 'COGNITO_SYNC_MAX_BODY_BYTES', default: String(DEFAULT_MAX_BODY_BYTES) },
  'log-level': { type: 'string', env: 'COGNITO_SYNC_LOG_LEVEL', default: 'info' },
  'credentials-ttl': { type: 'string', env: 'COGNITO_SYNC_CREDENTIALS_TTL', default: '3600' },
} as const;

export class ConfigError extends Error {}

function integerIn(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
  return n;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const parsed = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(OPTIONS).map((k) => [k, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  }).values as Record<string, string | undefined>;
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
    logLevel,
    credentialsTtlSeconds: integerIn('credentials-ttl', value('credentials-ttl'), 1, 43_200),
  };

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
