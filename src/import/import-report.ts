// What an import did, counted as it goes, and the summary printed at the end. Problems are what a person must
// look at (the run exits 1 when there are any); notes are what they should know.
import type { IdentityKind } from './identity-logins.ts';

const POOL_OUTCOMES = ['created', 'updated', 'unchanged', 'refused', 'failed'] as const;
const IDENTITY_OUTCOMES = ['created', 'updated', 'unchanged', 'skipped', 'failed'] as const;
const DATASET_OUTCOMES = ['created', 'updated', 'unchanged', 'target-ahead', 'diverged', 'deleted-on-target', 'skipped', 'failed'] as const;
const KINDS: IdentityKind[] = ['unauthenticated', 'developer-authenticated', 'public-providers-only', 'disabled'];

type Counts<K extends string> = Record<K, number>;
const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Counts<K>;

/** Problem lines printed in full; the rest are counted. */
const MAX_PROBLEM_LINES = 50;

export class ImportReport {
  readonly dryRun: boolean;
  pools = { read: 0, ...zero(POOL_OUTCOMES) };
  identities = { read: 0, ...zero(IDENTITY_OUTCOMES) };
  identityKinds = zero(KINDS);
  developerUserIdentifiers = 0;
  /** Public-providers-only identities per provider. */
  readonly publicProviders = new Map<string, number>();
  datasets = { read: 0, ...zero(DATASET_OUTCOMES) };
  records = { read: 0, tombstones: 0, written: 0 };
  readonly problems: string[] = [];
  readonly notes: string[] = [];

  constructor(dryRun: boolean) {
    this.dryRun = dryRun;
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  format(context: { source: string; target: string; accountId: string; sourceCalls: number; sourceRetries: number }): string {
    const list = <K extends string>(counts: Counts<K>, keys: readonly K[]) => keys.map((k) => `${counts[k]} ${k.replaceAll('-', ' ')}`).join(', ');
    const lines = [
      this.dryRun ? 'import summary (dry run: nothing was written; the counts are what an import would do now)' : 'import summary',
      `  source: ${context.source}`,
      `  target: ${context.target}, pools owned by account ${context.accountId}`,
      `  identity pools: ${this.pools.read} read; ${list(this.pools, POOL_OUTCOMES)}`,
      `  identities: ${this.identities.read} read (${list(this.identityKinds, KINDS)}); ${list(this.identities, IDENTITY_OUTCOMES)}`,
      `  developer user identifiers: ${this.developerUserIdentifiers} read`,
      `  datasets: ${this.datasets.read} read; ${list(this.datasets, DATASET_OUTCOMES)}`,
      `  records: ${this.records.read} read (${this.records.tombstones} removed, kept as tombstones); ${this.records.written} written`,
      `  source calls: ${context.sourceCalls} (${context.sourceRetries} retries after throttling or transient errors)`,
    ];
    if (this.notes.length > 0) lines.push('notes:', ...this.notes.map((n) => `  - ${n}`));
    if (this.problems.length > 0) {
      lines.push(`problems (${this.problems.length}; what they name was not imported, or not all of it):`);
      lines.push(...this.problems.slice(0, MAX_PROBLEM_LINES).map((p) => `  - ${p}`));
      if (this.problems.length > MAX_PROBLEM_LINES) lines.push(`  … and ${this.problems.length - MAX_PROBLEM_LINES} more`);
    }
    return `${lines.join('\n')}\n`;
  }
}
