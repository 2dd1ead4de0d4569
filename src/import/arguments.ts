// `npm run import -- …` flags → one validated set of options. Only flags count (no COGNITO_SYNC_* variables):
// which store an import writes to should be visible on its command line.
import { parseArgs } from 'node:util';
import { ConfigError, type DatabaseConfig, loadConfig } from '../config.ts';

export interface ImportOptions {
  sourceRegion: string;
  /** One endpoint for both Cognito Identity and Cognito Sync (a wire-compatible server); AWS's own otherwise. */
  sourceEndpointUrl?: string;
  /** The pools to import, or every pool the source credentials' account has. */
  pools: { ids: string[] } | 'all';
  target: { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; database: DatabaseConfig };
  /** The account that owns the imported pools here; the store's only account when absent. */
  accountId?: string;
  /** Identities imported at once (each reads its datasets one after another). */
  concurrency: number;
  dryRun: boolean;
}

export class ArgumentError extends Error {}

export const USAGE = `usage: npm run import -- --source-region REGION [--source-endpoint-url URL]
         (--identity-pool-id ID [--identity-pool-id ID …] | --all-pools)
         [--data-dir DIR | --database-url postgres://… [--database-schema NAME]]
         [--account-id 123456789012] [--concurrency 4] [--dry-run]
AWS credentials for the source come from the standard chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, …).`;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// Cognito Identity's IdentityPoolId pattern and length (the API model).
const POOL_ID = /^[\w-]+:[0-9a-f-]+$/;
const MAX_CONCURRENCY = 64;

export function parseImportArguments(argv: string[]): ImportOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'source-region': { type: 'string' },
        'source-endpoint-url': { type: 'string' },
        'identity-pool-id': { type: 'string', multiple: true },
        'all-pools': { type: 'boolean' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        'database-schema': { type: 'string' },
        'account-id': { type: 'string' },
        concurrency: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new ArgumentError((error as Error).message);
  }

  const sourceRegion = values['source-region'];
  if (sourceRegion === undefined) throw new ArgumentError('--source-region is required (the AWS region of the pools, e.g. us-east-1)');
  if (!REGION.test(sourceRegion)) throw new ArgumentError(`--source-region must look like us-east-1, got '${sourceRegion}'`);

  const sourceEndpointUrl = values['source-endpoint-url'];
  if (sourceEndpointUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(sourceEndpointUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ArgumentError(`--source-endpoint-url must be an http:// or https:// URL, got '${sourceEndpointUrl}'`);
    }
  }

  const ids = values['identity-pool-id'] ?? [];
  if (ids.length > 0 && values['all-pools']) throw new ArgumentError('give either --identity-pool-id or --all-pools, not both');
  if (ids.length === 0 && !values['all-pools']) throw new ArgumentError('name the pools to import: --identity-pool-id ID (repeatable) or --all-pools');
  for (const id of ids) {
    if (id.length > 55 || !POOL_ID.test(id)) throw new ArgumentError(`--identity-pool-id must be an identity pool id like us-east-1:0a1b2c3d-…, got '${id}'`);
  }

  if (values['data-dir'] !== undefined && values['database-url'] !== undefined) {
    throw new ArgumentError('give either --data-dir (SQLite) or --database-url (PostgreSQL), not both');
  }
  if (values['database-schema'] !== undefined && values['database-url'] === undefined) throw new ArgumentError('--database-schema needs --database-url');
  const target = targetOf(values['data-dir'], values['database-url'], values['database-schema']);

  const accountId = values['account-id'];
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) throw new ArgumentError(`--account-id must be 12 digits, got '${accountId}'`);

  const concurrencyText = values.concurrency ?? '4';
  const concurrency = Number(concurrencyText);
  if (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new ArgumentError(`--concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got '${concurrencyText}'`);
  }

  return {
    sourceRegion,
    sourceEndpointUrl,
    pools: ids.length > 0 ? { ids: [...new Set(ids)] } : 'all',
    target,
    accountId,
    concurrency,
    dryRun: values['dry-run'] === true,
  };
}

/** The server's own rules for these settings (config.ts), so the importer opens exactly what the server would. */
function targetOf(dataDir: string | undefined, databaseUrl: string | undefined, schema: string | undefined): ImportOptions['target'] {
  const argv = ['--data-dir', dataDir ?? './data'];
  if (databaseUrl !== undefined) argv.push('--database-url', databaseUrl);
  if (schema !== undefined) argv.push('--database-schema', schema);
  try {
    const config = loadConfig(argv, {});
    return config.database ? { kind: 'postgres', database: config.database } : { kind: 'sqlite', dataDir: config.dataDir };
  } catch (error) {
    if (error instanceof ConfigError) throw new ArgumentError(`--${error.message}`);
    throw error;
  }
}
