// SQL written once for both dialects: a tagged template whose values become bound parameters, plus the few
// fragments whose text differs between SQLite and PostgreSQL (row locks, list membership). A dialect renders
// a query into its own placeholder style and converts parameters (dates, booleans) into what its driver binds.
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

// Rendering runs for every statement. Most queries hold plain values only, so their text depends on nothing
// but their call site (one strings array per template in the source): rendered once per dialect and kept. The
// SQLite dialect then finds the compiled statement by that same string, whose hash V8 has already computed.
const renderedTexts: Record<Dialect, WeakMap<readonly string[], string>> = { sqlite: new WeakMap(), postgres: new WeakMap() };

const isPlainValue = (part: SqlPart): part is SqlValue => !(part instanceof Sql || part instanceof SqlFragment || part instanceof SqlList);

/** Renders `query` for `dialect`; `bind` converts each plain value into what the driver accepts. */
export function renderSql(query: Sql, dialect: Dialect, bind: (value: SqlValue) => unknown): RenderedSql {
  if (!query.parts.every(isPlainValue)) return renderPieces(query, dialect, bind);
  const params = (query.parts as readonly SqlValue[]).map(bind);
  let text = renderedTexts[dialect].get(query.strings);
  if (text === undefined) {
    text = renderPieces(query, dialect, bind).text;
    renderedTexts[dialect].set(query.strings, text);
  }
  return { text, params };
}

function renderPieces(query: Sql, dialect: Dialect, bind: (value: SqlValue) => unknown): RenderedSql {
  const params: unknown[] = [];
  const placeholder = dialect === 'sqlite' ? () => '?' : () => `$${params.length}`;
  let text = '';
  const append = (piece: Sql) => {
    piece.strings.forEach((literal, i) => {
      text += literal;
      if (i >= piece.parts.length) return;
      const part = piece.parts[i];
      if (part instanceof Sql) append(part);
      else if (part instanceof SqlFragment) text += part[dialect];
      else if (part instanceof SqlList) {
        if (dialect === 'postgres') {
          params.push(part.values.map(bind));
          text += `= ANY(${placeholder()})`;
        } else {
          text += `IN (${part.values.map((value) => (params.push(bind(value)), '?')).join(', ')})`;
        }
      } else {
        params.push(bind(part));
        text += placeholder();
      }
    });
  };
  append(query);
  return { text, params };
}
