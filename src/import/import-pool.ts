// One pool: its settings and Cognito Sync configuration, then every identity with its datasets, several
// identities at once.
import type { IdentityDescription } from '@aws-sdk/client-cognito-identity';
import type { ImportOptions } from './arguments.ts';
import { forEachConcurrently } from './concurrently.ts';
import { errorText } from './error-text.ts';
import { importIdentityWithDatasets, type PoolImportContext } from './import-identity.ts';
import type { ImportReport } from './import-report.ts';
import type { Progress } from './progress.ts';
import type { Source } from './source-clients.ts';
import { enabledIdentityIds, sourceIdentities } from './source-identities.ts';
import { readSourcePool, type SourcePool } from './source-pools.ts';
import type { ImportTarget } from './target-store.ts';

export interface RunContext {
  options: ImportOptions;
  source: Source;
  target: ImportTarget;
  accountId: string;
  report: ImportReport;
  progress: Progress;
}

function noteConfiguration(report: ImportReport, pool: SourcePool): void {
  const { configuration } = pool;
  if ((configuration.pushSync?.ApplicationArns ?? []).length > 0) {
    report.note(
      'push sync: the pools\' SNS applications were kept, but device registrations and dataset subscriptions cannot be read ' +
        'from AWS; devices get pushes again once they call RegisterDevice and SubscribeToDataset here (their syncs work meanwhile)',
    );
  }
  if (configuration.cognitoStreams?.StreamingStatus === 'ENABLED') {
    report.note(
      'Cognito Streams is ENABLED for some pools: servers stream every new sync to their Kinesis streams with their own AWS ' +
        'credentials (docs/deploying.md); the import itself streamed nothing (run BulkPublish for a full copy)',
    );
  }
  if (configuration.cognitoEvents?.SyncTrigger) {
    report.note('some pools have a sync trigger: servers invoke its Lambda function with their own AWS credentials (docs/deploying.md)');
  }
}

export async function importPool(context: RunContext, identityPoolId: string): Promise<void> {
  const { source, target, report, progress, options } = context;
  report.pools.read += 1;
  progress.line(`${identityPoolId}: reading the pool`);
  let pool: SourcePool;
  try {
    pool = await readSourcePool(source, identityPoolId);
    const result = await target.importIdentityPool(
      { identityPoolId, accountId: context.accountId, spec: pool.spec, createdAt: new Date() },
      pool.configuration,
    );
    if (result.outcome === 'owned-by-another-account') {
      report.pools.refused += 1;
      report.problem(`pool ${identityPoolId}: a pool with this id belongs here to account ${result.accountId}; not imported`);
      return;
    }
    report.pools[result.outcome] += 1;
  } catch (error) {
    report.pools.failed += 1;
    report.problem(`pool ${identityPoolId}: ${errorText(error)}`);
    return;
  }
  noteConfiguration(report, pool);

  const before = { identities: report.identities.read, datasets: report.datasets.read, records: report.records.read };
  try {
    const poolContext: PoolImportContext = { source, target, report, identityPoolId, developerProviderName: pool.spec.DeveloperProviderName };
    // A disabled identity lists exactly like an unauthenticated one; only a listing without the disabled ones
    // tells them apart. Identities without logins missing from it (disabled, or new since it was taken) wait
    // for a second such listing taken after the full one: whichever of them it returns are enabled.
    progress.line(`${identityPoolId}: listing enabled identities`);
    const enabled = await enabledIdentityIds(source, identityPoolId);
    const undecided = new Map<string, IdentityDescription>();
    progress.line(`${identityPoolId}: importing identities and their datasets, ${options.concurrency} at a time`);
    await forEachConcurrently(sourceIdentities(source, identityPoolId), options.concurrency, async (identity) => {
      if ((identity.Logins ?? []).length === 0 && !enabled.has(identity.IdentityId!)) {
        undecided.set(identity.IdentityId!, identity);
        return;
      }
      await importIdentityWithDatasets(poolContext, identity, true);
      progress.tick(identityPoolId, report);
    });
    enabled.clear();
    if (undecided.size > 0) {
      progress.line(`${identityPoolId}: ${undecided.size} identities without logins were not listed as enabled; listing enabled identities again`);
      const enabledNow = await enabledIdentityIds(source, identityPoolId, new Set(undecided.keys()));
      await forEachConcurrently(toAsync(undecided.values()), options.concurrency, async (identity) => {
        await importIdentityWithDatasets(poolContext, identity, enabledNow.has(identity.IdentityId!));
        progress.tick(identityPoolId, report);
      });
    }
  } catch (error) {
    report.pools.failed += 1;
    report.problem(`pool ${identityPoolId}: listing its identities stopped after ${report.identities.read - before.identities}: ${errorText(error)}`);
  }
  progress.line(
    `${identityPoolId}: ${report.identities.read - before.identities} identities, ${report.datasets.read - before.datasets} datasets, ` +
      `${report.records.read - before.records} records read`,
  );
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
