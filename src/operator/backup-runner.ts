// POST /operator/backup: an online backup of the embedded SQLite store, taken by the server that holds it (no other
// process can read the file while it runs). The copy is written inside the server's own data directory, under
// backups/, with a name the server chooses, so a signed request can never make the server write anywhere else;
// `npm run backup` then moves it where the operator asked. The answer streams progress as JSON lines.
import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.ts';
import { ServiceError } from '../protocol/errors.ts';
import type { Store } from '../store/store.ts';
import { checkSqliteFile } from './sqlite-file.ts';

export const BACKUP_DIRECTORY = 'backups';

/** One line of the streamed answer (application/x-ndjson). */
export type BackupEvent =
  | { event: 'started'; file: string }
  | { event: 'progress'; totalPages: number; remainingPages: number }
  | { event: 'done'; file: string; bytes: number; pages: number; seconds: number; integrity: 'ok' }
  | { event: 'failed'; message: string };

export class BackupRunner {
  private running: Promise<void> | undefined;
  private readonly store: Store;
  private readonly dataDir: string;
  private readonly logger: Logger;

  constructor(store: Store, dataDir: string, logger: Logger) {
    this.store = store;
    this.dataDir = dataDir;
    this.logger = logger;
  }

  async idle(): Promise<void> {
    await this.running;
  }

  async run(res: ServerResponse, requestId: string, principal: Extract<Principal, { kind: 'developer' }>): Promise<void> {
    const backupTo = this.store.backupTo?.bind(this.store);
    if (!backupTo) {
      throw new ServiceError(
        'UnsupportedOperationException',
        `This server's store is ${this.store.kind}: back it up with pg_dump and restore with pg_restore (README, "Backups"). ` +
          'The online backup is for the embedded SQLite store.',
        { status: 400 },
      );
    }
    if (this.running) throw new ServiceError('BackupInProgressException', 'A backup is already running on this server; wait for it to finish', { status: 409 });

    const relative = join(BACKUP_DIRECTORY, `cognito-sync-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}-${requestId.slice(0, 8)}.db`);
    const file = join(this.dataDir, relative);
    mkdirSync(join(this.dataDir, BACKUP_DIRECTORY), { recursive: true, mode: 0o700 });
    // Created empty first, exclusively and owner-only: the copy holds developer secrets, as the store does.
    closeSync(openSync(file, 'wx', 0o600));

    res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', 'x-amzn-RequestId': requestId });
    const send = (event: BackupEvent) => res.write(`${JSON.stringify(event)}\n`);
    send({ event: 'started', file: relative });
    const started = performance.now();
    this.logger.info({ requestId, accountId: principal.accountId, file }, 'backup started');

    const work = (async () => {
      try {
        const { pages } = await backupTo(file, (progress) => send({ event: 'progress', ...progress }));
        checkSqliteFile(file);
        const seconds = Math.round(performance.now() - started) / 1000;
        const bytes = statSync(file).size;
        this.logger.info({ requestId, file, pages, bytes, seconds }, 'backup finished');
        send({ event: 'done', file: relative, bytes, pages, seconds, integrity: 'ok' });
      } catch (error) {
        this.logger.error({ requestId, err: error, file }, 'backup failed');
        try {
          unlinkSync(file);
        } catch {
          // Already gone, or never written: nothing to clean up.
        }
        send({ event: 'failed', message: (error as Error).message });
      }
      res.end();
    })();
    this.running = work.finally(() => (this.running = undefined));
    await this.running;
  }
}
