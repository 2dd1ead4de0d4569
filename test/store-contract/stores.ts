// Runs one contract suite against every store implementation, called directly (no HTTP): the embedded
// SQLite store in a temporary directory and the PostgreSQL store in a schema of its own. PostgreSQL follows
// the test rule: under CI=true missing means failure; elsewhere that half is skipped with the reason.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Identity, IdentityPool, Store } from '../../src/store/store.ts';
import { dropSchema, skipUnlessPostgres, TEST_DATABASE_URL, testSchemaName } from '../helpers/postgres.ts';

/** `openAnother` opens another handle on the same data: for PostgreSQL another pool on the schema (what a
 *  second node has); for SQLite the same handle. */
export interface StoreUnderTest {
  store: Store;
  openAnother(): Promise<Store>;
}

type Kind = 'sqlite' | 'postgres';

async function openKind(kind: Kind): Promise<{ opened: StoreUnderTest; cleanup: () => Promise<void> }> {
  const extra: Store[] = [];
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
    const store = openSqliteStore(dir);
    return {
      opened: {
        store,
        // The embedded store belongs to one process (a second server on the same file is not a supported
        // deployment), so "another node" is the same handle: concurrent calls must still be serialized.
        openAnother: async () => store,
      },
      cleanup: async () => {
        for (const s of [store, ...extra]) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = testSchemaName();
  const config = { url: TEST_DATABASE_URL, schema, poolSize: 8 };
  const store = await openPostgresStore(config);
  return {
    opened: {
      store,
      openAnother: async () => {
        const another = await openPostgresStore(config);
        extra.push(another);
        return another;
      },
    },
    cleanup: async () => {
      for (const s of [store, ...extra]) await s.close();
      await dropSchema(schema);
    },
  };
}

// Each `npm test` pass runs the suite on its own store (the SQLite pass on SQLite, the PostgreSQL pass on
// PostgreSQL), so each store runs it once; a file run on its own uses SQLite unless COGNITO_SYNC_TEST_STORE says.
const kinds: Kind[] = process.env.COGNITO_SYNC_TEST_STORE === 'postgres' ? ['postgres'] : ['sqlite'];

const postgresSkip = kinds.includes('postgres') ? await skipUnlessPostgres() : false;

/** Defines `body` for this pass's store kind; `subject()` gives the store opened for it. */
export function contractSuite(name: string, body: (subject: () => StoreUnderTest, kind: Kind) => void) {
  for (const kind of kinds) {
    describe(`${name} [${kind}]`, { skip: kind === 'postgres' ? postgresSkip : false, timeout: 120_000 }, () => {
      let opened: StoreUnderTest | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      before(async () => {
        ({ opened, cleanup } = await openKind(kind));
      });
      after(async () => {
        await cleanup?.();
      });
      body(() => {
        if (!opened) throw new Error(`the ${kind} store did not open`);
        return opened;
      }, kind);
    });
  }
}

// ---- fixtures --------------------------------------------------------------------------------------

export const REGION = 'us-east-1';
export const newId = () => `${REGION}:${randomUUID()}`;
export const newAccountId = () => String(Math.floor(1e11 + Math.random() * 8.9e11));
/** A time with whole milliseconds, as the stores keep them. */
export const at = (iso: string) => new Date(iso);

export async function makePool(store: Store, accountId = newAccountId(), overrides: Partial<IdentityPool> = {}): Promise<IdentityPool> {
  const pool: IdentityPool = {
    identityPoolId: newId(),
    accountId,
    spec: { IdentityPoolName: 'contract', AllowUnauthenticatedIdentities: true },
    createdAt: at('2024-01-02T03:04:05.678Z'),
    ...overrides,
  };
  await store.createIdentityPool(pool);
  return pool;
}

export async function makeIdentity(store: Store, identityPoolId: string, overrides: Partial<Identity> = {}): Promise<Identity> {
  const identity: Identity = {
    identityId: newId(),
    identityPoolId,
    createdAt: at('2024-02-03T04:05:06.789Z'),
    lastModifiedAt: at('2024-02-03T04:05:06.789Z'),
    disabled: false,
    ...overrides,
  };
  await store.createIdentity(identity);
  return identity;
}
