// The PostgreSQL store: the shared store operations over the PostgreSQL dialect.
import type { DatabaseConfig } from '../../config.ts';
import { sqlStore } from '../sql-store.ts';
import type { Store } from '../store.ts';
import { openPostgresDatabase } from './postgres-database.ts';

export async function openPostgresStore(config: DatabaseConfig): Promise<Store> {
  return sqlStore(await openPostgresDatabase(config));
}
