// SQL written once for both dialects: a tagged template whose values become bound parameters, plus the few
// fragments whose text differs between SQLite and PostgreSQL (row locks, list membership). A dialect renders
// a query into its own placeholder style and converts parameters (dates, booleans) into what its driver binds.
import type { RowShape } from './database.ts';

export type SqlValue = string | number | boolean | Date | null | undefined;

/** A piece of SQL whose text depends on the dialect. */
export class SqlFragment {
  readonly sqlite: string;
  readonly postgres: string;
  constructor(sqlite: string, postgres: string) {
    this.sqlite = sqlite;
    this.postgres = postgres;
  }
}

/** `column ${anyOf(values)}`: `IN (?, ?, …)` on SQLite, `= ANY($n)` (one array parameter) on PostgreSQL. */
export class SqlList {
  readonly values: readonly SqlValue[];
  constructor(values: readonly SqlValue[]) {
    this.values = values;
  }
}

export type SqlPart = SqlValue | SqlFragment | SqlList | Sql;

export class Sql {
  readonly strings: readonly string[];
  readonly parts: readonly SqlPart[];
  constructor(strings: readonly string[], parts: readonly SqlPart[]) {
    this.strings = strings;
    this.parts = parts;
  }
}

export const sql = (strings: TemplateStringsArray, ...parts: SqlPart[]): Sql => new Sql(strings, parts);

export const anyOf = (values: readonly SqlValue[]) => new SqlList(values);

/** A JSON column's value: stored as JSON text on both dialects (undefined → NULL). */
export const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** Nothing: for the branch of a conditional fragment that adds no SQL. */
export const empty = sql``;

// Row locks exist only on PostgreSQL. The embedded store has one writer at a time (BEGIN IMMEDIATE under the
// connection lock), so every read inside a write transaction already sees a state no one else can change.
export const forUpdate = new SqlFragment('', ' FOR UPDATE');
/** Skip rows another node is claiming this instant instead of waiting for them (outbox claims). */
export const forUpdateSkipLocked = new SqlFragment('', ' FOR UPDATE SKIP LOCKED');
/** Keeps the row from being deleted until commit without blocking its other readers or writers. */
export const forKeyShare = new SqlFragment('', ' FOR KEY SHARE');

export type Dialect = 'sqlite' | 'postgres';

export interface RenderedSql {
  text: string;
  params: unknown[];
}

// Rendering runs for every statement, and its text depends on nothing but its structure: the call site (one
// strings array per template in the source), then in order each piece spliced in — a nested template (its own
// strings array, then its pieces), a dialect fragment, or a list's length (`IN (?, ?, …)` on SQLite; PostgreSQL
// binds a list as one array, so its text is one for any length). Values only fill placeholders, whose numbering
// ($1, $2, … on PostgreSQL) the structure fixes too. So a query's text is rendered once per call site and
// variant and kept; the SQLite dialect then finds its compiled statement by that same string, whose hash V8 has
// already computed (hashing a freshly built text was a visible cost per statement).
/** One piece of a variant's structure: a nested template's strings, a fragment, or a list's length. */
type Static = readonly string[] | SqlFragment | number;
interface RenderedText {
  statics: readonly Static[];
  text: string;
}
/** A call site whose pieces differ between calls (`lock ? forUpdate : empty`, lists of several lengths) keeps
 *  one text per variant, up to this many. */
const MAX_VARIANTS = 8;
const renderedTexts: Record<Dialect, WeakMap<readonly string[], RenderedText[]>> = { sqlite: new WeakMap(), postgres: new WeakMap() };

const staticOf = (part: SqlFragment | SqlList | Sql, dialect: Dialect): Static =>
  part instanceof SqlList ? (dialect === 'postgres' ? -1 : part.values.length) : part instanceof Sql ? part.strings : part;
const isPiece = (part: SqlPart): part is SqlFragment | SqlList | Sql => part instanceof SqlFragment || part instanceof SqlList || part instanceof Sql;

/** The values of `query` in text order, as bound parameters (a list: one array on PostgreSQL, each value on SQLite). */
function bindAll(query: Sql, dialect: Dialect, bind: (value: SqlValue) => unknown, params: unknown[]): void {
  for (const part of query.parts) {
    if (part instanceof Sql) bindAll(part, dialect, bind, params);
    else if (part instanceof SqlList) {
      if (dialect === 'postgres') params.push(part.values.map(bind));
      else for (const value of part.values) params.push(bind(value));
    } else if (!(part instanceof SqlFragment)) params.push(bind(part));
  }
}

/** Whether `query`'s pieces match `statics` from index `n`: the index after them, or -1. Compared in place, with
 *  nothing allocated, since this runs per statement. */
function matchFrom(query: Sql, statics: readonly Static[], n: number, dialect: Dialect): number {
  for (const part of query.parts) {
    if (!isPiece(part)) continue;
    if (statics[n] !== staticOf(part, dialect)) return -1;
    n = part instanceof Sql ? matchFrom(part, statics, n + 1, dialect) : n + 1;
    if (n < 0) return -1;
  }
  return n;
}

function staticsOf(query: Sql, dialect: Dialect, into: Static[] = []): Static[] {
  for (const part of query.parts) {
    if (!isPiece(part)) continue;
    into.push(staticOf(part, dialect));
    if (part instanceof Sql) staticsOf(part, dialect, into);
  }
  return into;
}

/** Renders `query` for `dialect`; `bind` converts each plain value into what the driver accepts. */
export function renderSql(query: Sql, dialect: Dialect, bind: (value: SqlValue) => unknown): RenderedSql {
  const params: unknown[] = [];
  bindAll(query, dialect, bind, params);
  const variants = renderedTexts[dialect].get(query.strings) ?? [];
  for (const variant of variants) if (matchFrom(query, variant.statics, 0, dialect) === variant.statics.length) return { text: variant.text, params };
  const text = renderText(query, dialect);
  if (variants.length < MAX_VARIANTS) renderedTexts[dialect].set(query.strings, [...variants, { statics: staticsOf(query, dialect), text }]);
  return { text, params };
}

/** The text of `query` for `dialect`, its placeholders numbered in text order (the order bindAll binds in). */
function renderText(query: Sql, dialect: Dialect): string {
  let placeholders = 0;
  const placeholder = () => (dialect === 'sqlite' ? '?' : `$${++placeholders}`);
  const append = (piece: Sql): string =>
    piece.strings
      .map((literal, i) => {
        if (i >= piece.parts.length) return literal;
        const part = piece.parts[i];
        if (part instanceof Sql) return literal + append(part);
        if (part instanceof SqlFragment) return literal + part[dialect];
        if (part instanceof SqlList) return literal + (dialect === 'postgres' ? `= ANY(${placeholder()})` : `IN (${part.values.map(() => '?').join(', ')})`);
        return literal + placeholder();
      })
      .join('');
  return append(query);
}

// A batch insert's text depends on its shape only (a module constant) and the dialect: rendered once per both.
const insertTexts: Record<Dialect, WeakMap<RowShape, string>> = { sqlite: new WeakMap(), postgres: new WeakMap() };

/**
 * The text of a batch insert of `shape`: on SQLite one row's `VALUES (?, …)`, run once per row; on PostgreSQL
 * the whole batch in one statement, one array parameter per column, unnested side by side.
 */
export function renderRowInsert(shape: RowShape, dialect: Dialect): string {
  let text = insertTexts[dialect].get(shape);
  if (text === undefined) {
    const names = shape.columns.map(([name]) => name).join(', ');
    const values =
      dialect === 'sqlite'
        ? `VALUES (${shape.columns.map(() => '?').join(', ')})`
        : `SELECT * FROM unnest(${shape.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;
    insertTexts[dialect].set(shape, (text = `INSERT INTO ${shape.table} (${names}) ${values} ${shape.onConflict}`));
  }
  return text;
}
