// test-pass: sqlite only
// Two small rules on the request path that a cache or a format change could break silently: a query rendered
// from the cache (plain values only) gets the text of its call site with this call's parameters, while a query
// holding fragments or lists is rendered afresh every time; and new sync session ids sort by start time (the
// store's index of spent sessions relies on it) and never repeat.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSessionId } from '../src/services/cognito-sync/sync-session-tokens.ts';
import { anyOf, empty, forUpdate, renderSql, sql, type SqlValue } from '../src/store/sql/sql.ts';

const asIs = (value: SqlValue) => value;
const byKey = (key: string, count: number) => sql`SELECT v FROM t WHERE k = ${key} AND n > ${count}`;
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
