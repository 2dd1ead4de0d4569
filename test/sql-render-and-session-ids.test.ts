// test-pass: sqlite only
// Two small rules on the request path that a cache or a format change could break silently: a query rendered
// from the cache gets the text of its call site and variant (its fragments, nested pieces and list lengths)
// with this call's parameters, in text order; and new
// sync session ids sort by start time (the store's index of spent sessions relies on it) and never repeat.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSessionId } from '../src/services/cognito-sync/sync-session-tokens.ts';
import { anyOf, empty, forUpdate, renderRowInsert, renderSql, sql, type SqlValue } from '../src/store/sql/sql.ts';

const asIs = (value: SqlValue) => value;
const byKey = (key: string, count: number) => sql`SELECT v FROM t WHERE k = ${key} AND n > ${count}`;
const COLUMNS = sql`v, w`;
const columnsOf = (key: string, lock: boolean, extra: ReturnType<typeof sql>) =>
  sql`SELECT ${COLUMNS} FROM t WHERE k = ${key}${extra}${lock ? forUpdate : empty} LIMIT ${2}`;
const maybeLocked = (lock: boolean, keys: string[]) => sql`SELECT v FROM t WHERE k ${anyOf(keys)}${lock ? forUpdate : empty}`;

describe('SQL rendering', { timeout: 10_000 }, () => {
  it('a plain query keeps its text per dialect and binds each call its own values', () => {
    assert.deepEqual(renderSql(byKey('a', 1), 'sqlite', asIs), { text: 'SELECT v FROM t WHERE k = ? AND n > ?', params: ['a', 1] });
    assert.deepEqual(renderSql(byKey('b', 2), 'sqlite', asIs), { text: 'SELECT v FROM t WHERE k = ? AND n > ?', params: ['b', 2] });
    assert.deepEqual(renderSql(byKey('c', 3), 'postgres', asIs), { text: 'SELECT v FROM t WHERE k = $1 AND n > $2', params: ['c', 3] });
    const date = new Date(5);
    assert.deepEqual(renderSql(sql`SELECT ${date}`, 'sqlite', (v) => (v instanceof Date ? v.getTime() : v)).params, [5]);
  });

  it('a query with fragments or lists is rendered for what this call holds', () => {
    assert.equal(renderSql(maybeLocked(true, ['a', 'b']), 'postgres', asIs).text, 'SELECT v FROM t WHERE k = ANY($1) FOR UPDATE');
    assert.equal(renderSql(maybeLocked(false, ['a', 'b']), 'postgres', asIs).text, 'SELECT v FROM t WHERE k = ANY($1)');
    assert.deepEqual(renderSql(maybeLocked(true, ['a', 'b', 'c']), 'sqlite', asIs), { text: 'SELECT v FROM t WHERE k IN (?, ?, ?)', params: ['a', 'b', 'c'] });
    assert.equal(renderSql(maybeLocked(true, ['a']), 'sqlite', asIs).text, 'SELECT v FROM t WHERE k IN (?)');
  });

  it('a list keeps a text per length (SQLite) or one for any length (PostgreSQL), and binds each call its values', () => {
    // Asked for again after other lengths: a kept text must not serve a list of another length.
    for (const keys of [['a', 'b'], ['c', 'd', 'e'], ['f'], ['g', 'h'], ['i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's']]) {
      const marks = keys.map(() => '?').join(', ');
      assert.deepEqual(renderSql(maybeLocked(false, keys), 'sqlite', asIs), { text: `SELECT v FROM t WHERE k IN (${marks})`, params: keys });
      assert.deepEqual(renderSql(maybeLocked(true, keys), 'sqlite', (v) => `${v}!`), { text: `SELECT v FROM t WHERE k IN (${marks})`, params: keys.map((k) => `${k}!`) });
      assert.deepEqual(renderSql(maybeLocked(false, keys), 'postgres', asIs), { text: 'SELECT v FROM t WHERE k = ANY($1)', params: [keys] });
    }
    const keysThenCount = (keys: string[], n: number) => sql`SELECT v FROM t WHERE k ${anyOf(keys)} AND n > ${n}`;
    assert.deepEqual(renderSql(keysThenCount(['a', 'b'], 7), 'postgres', asIs), { text: 'SELECT v FROM t WHERE k = ANY($1) AND n > $2', params: [['a', 'b'], 7] });
    assert.deepEqual(renderSql(keysThenCount(['a'], 8), 'sqlite', asIs), { text: 'SELECT v FROM t WHERE k IN (?) AND n > ?', params: ['a', 8] });
    assert.deepEqual(renderSql(keysThenCount(['a', 'b'], 9), 'sqlite', asIs), { text: 'SELECT v FROM t WHERE k IN (?, ?) AND n > ?', params: ['a', 'b', 9] });
  });

  it('a nested piece with values of its own is kept by its structure, its values bound in text order', () => {
    const cast = (value: string) => sql`CAST(${value} AS TEXT)`;
    const stamped = (at: number) => sql`${cast('x')} || ${at}`;
    const query = (a: string, b: string, at: number, keys: string[]) => sql`SELECT ${cast(a)}, ${stamped(at)} FROM t WHERE k ${anyOf(keys)} AND v = ${cast(b)}`;
    for (const [a, b, at, keys] of [['a', 'b', 1, ['k']], ['c', 'd', 2, ['k', 'l']], ['e', 'f', 3, ['m']]] as const) {
      assert.deepEqual(renderSql(query(a, b, at, [...keys]), 'postgres', asIs), {
        text: 'SELECT CAST($1 AS TEXT), CAST($2 AS TEXT) || $3 FROM t WHERE k = ANY($4) AND v = CAST($5 AS TEXT)',
        params: [a, 'x', at, keys, b],
      });
      assert.deepEqual(renderSql(query(a, b, at, [...keys]), 'sqlite', asIs), {
        text: `SELECT CAST(? AS TEXT), CAST(? AS TEXT) || ? FROM t WHERE k IN (${keys.map(() => '?').join(', ')}) AND v = CAST(? AS TEXT)`,
        params: [a, 'x', at, ...keys, b],
      });
    }
    // Another template in the same place is another variant, not the kept text.
    const other = (inner: ReturnType<typeof sql>) => sql`SELECT ${inner}`;
    assert.equal(renderSql(other(sql`${1} + ${2}`), 'postgres', asIs).text, 'SELECT $1 + $2');
    assert.equal(renderSql(other(sql`${1}`), 'postgres', asIs).text, 'SELECT $1');
    assert.equal(renderSql(other(sql`${sql`${1}`} * ${2}`), 'postgres', asIs).text, 'SELECT $1 * $2');
  });

  it('a batch insert renders one row of placeholders on SQLite and one array per column on PostgreSQL', () => {
    const shape = { table: 't', columns: [['k', 'text'], ['n', 'bigint']] as const, onConflict: 'ON CONFLICT (k) DO NOTHING' };
    for (let i = 0; i < 2; i++) {
      assert.equal(renderRowInsert(shape, 'sqlite'), 'INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO NOTHING');
      assert.equal(renderRowInsert(shape, 'postgres'), 'INSERT INTO t (k, n) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT (k) DO NOTHING');
    }
  });

  it('a call site whose fragments and pieces vary gets the text of each call, with its own parameters', () => {
    // More variants than the cache keeps for one call site, each asked for twice, in both dialects (row locks
    // render as nothing on SQLite); each call builds its inline pieces afresh, as `sql\`\`` in a helper does.
    const calls: Array<[string, boolean, () => ReturnType<typeof sql>, string, string, unknown[]]> = [
      ['a', false, () => empty, 'SELECT v, w FROM t WHERE k = ? LIMIT ?', 'SELECT v, w FROM t WHERE k = $1 LIMIT $2', ['a', 2]],
      ['b', true, () => sql``, 'SELECT v, w FROM t WHERE k = ? LIMIT ?', 'SELECT v, w FROM t WHERE k = $1 FOR UPDATE LIMIT $2', ['b', 2]],
      ['c', false, () => sql` AND x`, 'SELECT v, w FROM t WHERE k = ? AND x LIMIT ?', 'SELECT v, w FROM t WHERE k = $1 AND x LIMIT $2', ['c', 2]],
      ['d', true, () => sql` AND y`, 'SELECT v, w FROM t WHERE k = ? AND y LIMIT ?', 'SELECT v, w FROM t WHERE k = $1 AND y FOR UPDATE LIMIT $2', ['d', 2]],
      ['e', false, () => sql` AND z = ${7}`, 'SELECT v, w FROM t WHERE k = ? AND z = ? LIMIT ?', 'SELECT v, w FROM t WHERE k = $1 AND z = $2 LIMIT $3', ['e', 7, 2]],
      ['f', true, () => sql` AND q`, 'SELECT v, w FROM t WHERE k = ? AND q LIMIT ?', 'SELECT v, w FROM t WHERE k = $1 AND q FOR UPDATE LIMIT $2', ['f', 2]],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [key, lock, extra, sqliteText, postgresText, params] of calls) {
        assert.deepEqual(renderSql(columnsOf(key, lock, extra()), 'sqlite', asIs), { text: sqliteText, params });
        assert.deepEqual(renderSql(columnsOf(key, lock, extra()), 'postgres', asIs), { text: postgresText, params });
      }
    }
  });
});

describe('sync session ids', { timeout: 10_000 }, () => {
  it('sort by the time their session started, and differ within one millisecond', () => {
    const times = [0, 1, 999, 1_000, 1_700_000_000_000, 1_700_000_000_001, 253_402_300_799_999].map((ms) => new Date(ms));
    const ids = times.map((t) => newSessionId(t));
    assert.deepEqual([...ids].sort(), ids, 'byte-wise order is start order');
    const sameInstant = new Set(Array.from({ length: 1000 }, () => newSessionId(times[4]!)));
    assert.equal(sameInstant.size, 1000);
  });
});
