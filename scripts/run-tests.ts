// `npm test`: the whole suite on the embedded SQLite store, then the whole suite again on PostgreSQL.
// The PostgreSQL pass runs when CI=true or when PostgreSQL answers at the test URL; under CI=true a missing
// PostgreSQL fails the run, elsewhere the pass is skipped with the reason printed. Every schema the run
// created is dropped at the end. Arguments, if any, replace the default file pattern.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dropSchemasWithPrefix, inCi, postgresUnavailableReason, TEST_DATABASE_URL } from '../test/helpers/postgres.ts';

import { globSync, readFileSync } from 'node:fs';

const files = globSync(process.argv.length > 2 ? process.argv.slice(2) : ['test/**/*.test.ts']).sort();
// Files that behave the same whatever store the server uses, or that open both stores themselves, say so in
// their first line and run only in the SQLite pass.
const SQLITE_PASS_ONLY = '// test-pass: sqlite only';
const postgresPassFiles = files.filter((file) => !readFileSync(file, 'utf8').startsWith(SQLITE_PASS_ONLY));
const schemaPrefix = `cst_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

// Totals over both passes, read from node's own summary lines, for one closing line at the end.
const totals = { passed: 0, failed: 0, skipped: 0 };
function countSummary(text: string) {
  for (const [, word, n] of text.matchAll(/^ℹ (pass|fail|skipped) (\d+)$/gm)) {
    if (word === 'pass') totals.passed += Number(n);
    else if (word === 'fail') totals.failed += Number(n);
    else totals.skipped += Number(n);
  }
}

function runPass(store: 'sqlite' | 'postgres', postgresPassFollows = false): Promise<number> {
  process.stdout.write(`\n=== test pass: ${store} store ===\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...(store === 'postgres' ? postgresPassFiles : files)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        COGNITO_SYNC_TEST_STORE: store,
        COGNITO_SYNC_TEST_SCHEMA_PREFIX: schemaPrefix,
        // PostgreSQL-only tests (several nodes on one database) then wait for the PostgreSQL pass.
        COGNITO_SYNC_TEST_POSTGRES_PASS_FOLLOWS: postgresPassFollows ? '1' : '',
      },
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString('utf8');
    });
    child.once('close', (code, signal) => {
      countSummary(output);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const failures: string[] = [];
const pgMissing = await postgresUnavailableReason();

if ((await runPass('sqlite', pgMissing === undefined)) !== 0) failures.push('sqlite pass failed');

if (pgMissing === undefined) {
  if ((await runPass('postgres')) !== 0) failures.push('postgres pass failed');
  const dropped = await dropSchemasWithPrefix(schemaPrefix).catch((error: Error) => {
    process.stdout.write(`could not drop this run's schemas (${schemaPrefix}*): ${error.message}\n`);
    return 0;
  });
  process.stdout.write(`dropped ${dropped} test schema(s) of this run from ${TEST_DATABASE_URL}\n`);
} else if (inCi()) {
  failures.push(`postgres pass could not run: ${pgMissing}. CI=true requires PostgreSQL (.ci/run starts it)`);
} else {
  process.stdout.write(
    `\n=== test pass: postgres store SKIPPED: ${pgMissing}. ` +
      'Start PostgreSQL (or set COGNITO_SYNC_TEST_DATABASE_URL) to run it; under CI=true this is a failure. ===\n',
  );
}

const closing = `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
if (failures.length > 0) {
  process.stdout.write(`\nnpm test FAILED: ${failures.join('; ')}\n${closing}\n`);
  process.exit(1);
}
process.stdout.write(`\nnpm test passed (both passes together):\n${closing}\n`);
