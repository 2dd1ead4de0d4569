// Spent sync sessions (reference: "Sync session tokens are spent by a push"). A session id is recorded when an
// UpdateRecords presenting one of its tokens succeeds, in that write's transaction; its primary key makes two
// racing pushes with one token — on any nodes — end with one write and one refusal.
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { sql } from '../sql/sql.ts';
import type { SpendableSyncSession } from '../store.ts';

/** Inside the write's transaction: false when the session was spent already (then nothing may be written). */
export async function spendSyncSession(tx: SqlRunner, session: SpendableSyncSession): Promise<boolean> {
  const inserted = await tx.run(
    sql`INSERT INTO spent_sync_sessions (session_id, expires_at) VALUES (${session.sessionId}, ${session.expiresAt}) ON CONFLICT DO NOTHING`,
  );
  return inserted > 0;
}

export async function isSyncSessionSpent(db: SqlDatabase, sessionId: string): Promise<boolean> {
  return (await db.get(sql`SELECT 1 AS spent FROM spent_sync_sessions WHERE session_id = ${sessionId}`)) !== undefined;
}

export function deleteExpiredSyncSessions(db: SqlDatabase, now: Date, limit: number): Promise<number> {
  return db.run(
    sql`DELETE FROM spent_sync_sessions WHERE session_id IN (
          SELECT session_id FROM spent_sync_sessions WHERE expires_at <= ${now} ORDER BY expires_at LIMIT ${limit})`,
  );
}
