// test-pass: sqlite only — it opens both stores itself.
// One schema description (src/store/sql/schema.ts) must leave both dialects with the same tables, columns,
// nullability, primary keys and indexes: the drift check. Types are compared by what the store code reads
// back (a number or text), since each dialect renders {time}, {bool} and {bigint} its own way.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresDatabase } from '../src/store/postgres/postgres-database.ts';
import { migrations, renderMigration } from '../src/store/sql/schema.ts';
import { openSqliteDatabase } from '../src/store/sqlite/sqlite-database.ts';
import { dropSchema, skipUnlessPostgres, TEST_DATABASE_URL, testSchemaName } from './helpers/postgres.ts';

interface SchemaShape {
  columns: string[];
  indexes: string[];
}

const NUMBER_TYPES = new Set(['integer', 'bigint', 'timestamp with time zone', 'boolean']);
const logical = (type: string) => (NUMBER_TYPES.has(type.toLowerCase()) ? 'number' : 'text');

function sqliteShape(dataDir: string): SchemaShape {
  const db = openSqliteDatabase(dataDir);
  const c = db.connection;
  const tables = (c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
  const columns: string[] = [];
  const indexes: string[] = [];
  for (const table of tables) {
    for (const col of c.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string; type: string; notnull: number; pk: number }>) {
      columns.push(`${table}.${col.name} ${logical(col.type)}${col.notnull || col.pk ? ' not null' : ''}${col.pk ? ` pk${col.pk}` : ''}`);
    }
    for (const index of c.prepare(`PRAGMA index_list(${table})`).all() as Array<{ name: string; origin: string }>) {
      if (index.origin !== 'c') continue; // primary keys are compared with the columns
      const cols = (c.prepare(`PRAGMA index_info(${index.name})`).all() as Array<{ name: string }>).map((i) => i.name);
      indexes.push(`${table}.${index.name} (${cols.join(', ')})`);
    }
  }
  void db.close();
  return { columns: columns.sort(), indexes: indexes.sort() };
}

async function postgresShape(schema: string): Promise<SchemaShape> {
  const db = await openPostgresDatabase({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
  await db.close();
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const cols = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; pk: number | null }>(
      `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
              (SELECT k.ordinal_position FROM information_schema.table_constraints t
                 JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
                WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.constraint_type = 'PRIMARY KEY'
                  AND k.column_name = c.column_name) AS pk
         FROM information_schema.columns c WHERE c.table_schema = $1`,
      [schema],
    );
    const columns = cols.rows.map(
      (c) => `${c.table_name}.${c.column_name} ${logical(c.data_type)}${c.is_nullable === 'NO' ? ' not null' : ''}${c.pk ? ` pk${c.pk}` : ''}`,
    );
    const idx = await client.query<{ tablename: string; indexname: string; cols: string[] }>(
      `SELECT t.relname AS tablename, i.relname AS indexname,
              array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS cols
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND NOT x.indisprimary`,
      [schema],
    );
    const indexes = idx.rows.map((i) => `${i.tablename}.${i.indexname} (${i.cols.join(', ')})`);
    return { columns: columns.sort(), indexes: indexes.sort() };
  } finally {
    await client.end();
  }
}

const postgresSkip = await skipUnlessPostgres();

describe('store schema: one description, both dialects', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-schema-'));
  const schema = testSchemaName();
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (!postgresSkip) await dropSchema(schema);
  });

  it('every migration renders for both dialects with no unknown column type left', () => {
    for (const migration of migrations) {
      for (const dialect of ['sqlite', 'postgres'] as const) assert.doesNotMatch(renderMigration(migration, dialect), /\{\w+\}/);
    }
    assert.throws(() => renderMigration({ version: 99, name: 'x', sql: 'CREATE TABLE t (c {nope})' }, 'sqlite'), /unknown column type \{nope\}/);
  });

  it('SQLite and PostgreSQL end with the same tables, columns, keys and indexes', { skip: postgresSkip }, async () => {
    const [lite, postgres] = [sqliteShape(dir), await postgresShape(schema)];
    assert.ok(lite.columns.length > 50, 'the introspection found the tables');
    assert.deepEqual(postgres.columns, lite.columns);
    assert.deepEqual(postgres.indexes, lite.indexes);
  });
});
