// Progress lines on stderr while an import runs: one per pool step, and a running count at most every few
// seconds, so a long import shows it is alive without flooding a terminal or a log.
import type { ImportReport } from './import-report.ts';

const EVERY_MS = 5000;

export class Progress {
  private readonly write: (text: string) => void;
  private last = Date.now();

  constructor(write: (text: string) => void = (text) => process.stderr.write(text)) {
    this.write = write;
  }

  line(text: string): void {
    this.write(`import: ${text}\n`);
    this.last = Date.now();
  }

  /** A running count for the pool, if the last line is a while ago. */
  tick(poolId: string, report: ImportReport): void {
    if (Date.now() - this.last < EVERY_MS) return;
    this.line(`${poolId}: ${report.identities.read} identities, ${report.datasets.read} datasets, ${report.records.read} records read so far`);
  }
}
