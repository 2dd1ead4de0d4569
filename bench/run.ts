// `npm run bench [-- --quick] [-- --only a,b (instructions: only this way)] [-- --profile] [-- --no-write] [-- --server <other build's dist/cli.js>]`
// (--server runs the HTTP sections against that build; the store section always benches this tree's source.)
// Runs each section, prints the table and rewrites the generated part of BENCHMARKS.md.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, generatedBlock, type BenchSettings, type Row, terminalTable, writeBenchmarksFile } from './lib/report.ts';
import { benchServerBuild, SERVER_FLAGS } from './lib/server-process.ts';
import { instructionsSection } from './sections/instructions.ts';
import { poolConfigurationSection } from './sections/pool-configuration.ts';
import { postgresSection } from './sections/postgres.ts';
import { scaleSection } from './sections/scale.ts';
import { storeSection } from './sections/store.ts';
import { syncSection } from './sections/sync.ts';

const SECTIONS: Record<string, (settings: BenchSettings) => Promise<Row[]>> = {
  'pool-configuration': poolConfigurationSection,
  sync: syncSection,
  scale: scaleSection,
  postgres: postgresSection,
  store: storeSection,
  instructions: instructionsSection,
};
// A full run: everything but the instruction counts, which need valgrind and ten minutes more (`--only instructions`).
const FULL_RUN = ['pool-configuration', 'sync', 'scale', 'postgres', 'store'];

const BENCHMARKS_FILE = new URL('../BENCHMARKS.md', import.meta.url).pathname;
const PROFILE_DIR = new URL('./profiles/', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    /** Extra flags for the servers' node, for experiments (e.g. --node-flags=--max-semi-space-size=8). */
    'node-flags': { type: 'string' },
    /** Another build's dist/cli.js (an earlier release's checkout, built), benched with this bench's load. */
    server: { type: 'string' },
  },
  strict: true,
});

if (values.server) {
  if (!existsSync(values.server)) {
    process.stderr.write(`--server ${values.server}: no such file (build that tree first)\n`);
    process.exit(2);
  }
  benchServerBuild(resolve(values.server));
}
const quick = values.quick!;
const profile = values.profile!;
if (profile) mkdirSync(PROFILE_DIR, { recursive: true });
const settings: BenchSettings = {
  quick,
  runs: quick ? 2 : 5,
  runSeconds: quick ? 2 : 10,
  warmupSeconds: quick ? 1 : 3,
  startupRuns: quick ? 3 : 5,
  scaleRuns: quick ? 1 : 3,
  postgresRuns: quick ? 1 : 3,
  // A smoke run stops at 100k: seeding 1M records takes a minute on its own.
  scaleSizes: quick ? [10_000, 100_000] : [10_000, 1_000_000],
  serverNodeFlags: [...(values['node-flags']?.split(' ').filter(Boolean) ?? []), ...(profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [])],
  log: (message) => process.stderr.write(`${message}\n`),
};

const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : FULL_RUN;
for (const name of chosen) {
  if (!SECTIONS[name]) {
    process.stderr.write(`unknown section '${name}'; known: ${Object.keys(SECTIONS).join(', ')}\n`);
    process.exit(2);
  }
}

const started = performance.now();
const rows: Row[] = [];
for (const name of chosen) {
  settings.log(`== ${name}`);
  rows.push(...(await SECTIONS[name]!(settings)));
}
process.stdout.write(`\n${terminalTable(rows)}\n\n`);
settings.log(`finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);

// A smoke run, a partial run or a profiled run would replace the recorded figures with weaker ones.
const complete = !quick && !profile && !values.only && !values['node-flags'] && !values.server;
if (values['no-write'] || !complete) {
  settings.log(`BENCHMARKS.md left as is (${values['no-write'] ? '--no-write' : 'only a full run of every section rewrites it'}).`);
} else {
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  writeBenchmarksFile(BENCHMARKS_FILE, generatedBlock(rows, describeMachine(), command, settings, SERVER_FLAGS));
  settings.log(`BENCHMARKS.md rewritten.`);
}
if (profile) settings.log(`CPU profiles of the server are in ${PROFILE_DIR} (summarize: node bench/profile-summary.ts <file>).`);
