#!/usr/bin/env node
// `npm run import -- …`: copy Cognito Identity pools and Cognito Sync data from AWS (or any endpoint that speaks
// their APIs) into this server's store. Exit 0: everything imported; 1: finished or stopped with problems
// (listed); 2: refused to start (bad arguments, or a target it must not or cannot write).
import { ArgumentError, type ImportOptions, parseImportArguments, USAGE } from './arguments.ts';
import { dryRunTarget } from './dry-run-target.ts';
import { errorText } from './error-text.ts';
import { ImportReport } from './import-report.ts';
import { Progress } from './progress.ts';
import { runImport } from './run-import.ts';
import { openSource } from './source-clients.ts';
import { type OpenedStore, openImportStore, resolveOwnerAccount, TargetRefused } from './target-store.ts';

function refuse(message: string): never {
  process.stderr.write(`import: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\nSee "Moving your data off AWS" in README.md.\n`);
    return 0;
  }
  let options: ImportOptions;
  try {
    options = parseImportArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ArgumentError) refuse(`${error.message}\n${USAGE}`);
    throw error;
  }

  let opened: OpenedStore;
  let accountId: string;
  try {
    opened = await openImportStore(options);
  } catch (error) {
    if (error instanceof TargetRefused) refuse(error.message);
    process.stderr.write(`import: the target store could not be opened: ${errorText(error)}\n`);
    return 1;
  }
  try {
    accountId = await resolveOwnerAccount(opened.store, options.accountId);
  } catch (error) {
    await opened.store?.close();
    if (error instanceof TargetRefused) refuse(error.message);
    throw error;
  }

  const progress = new Progress();
  const source = openSource({ region: options.sourceRegion, endpointUrl: options.sourceEndpointUrl });
  const report = new ImportReport(options.dryRun);
  progress.line(`from ${source.describe} into the ${opened.describe}${options.dryRun ? ' (dry run: nothing will be written)' : ''}`);
  try {
    await runImport({ options, source, target: options.dryRun ? dryRunTarget(opened.store) : opened.store!, accountId, report, progress });
  } catch (error) {
    report.problem(`the import stopped: ${errorText(error)}`);
  } finally {
    source.close();
    await opened.store?.close();
  }
  process.stdout.write(
    report.format({ source: source.describe, target: opened.describe, accountId, sourceCalls: source.stats.calls, sourceRetries: source.stats.retries }),
  );
  return report.problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`import failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
