// The AWS query protocol's input: every member is a parameter (query string or form body), named by its path in
// the input shape. Nested members join with '.', list items are `<Name>.member.<n>` (from 1), map entries
// `<Name>.entry.<n>.key` and `.value`, and an empty list is `<Name>=` with nothing after it. Scalars convert as
// the other protocols' text members do (shape-walk.ts); constraints are checked afterwards, once, by the walker.
import type { ListShape, MapShape, MemberRef, StructureShape } from '../model/types.ts';
import type { InputWalker } from './shape-walk.ts';

type Params = ReadonlyMap<string, string[]>;

/** True when some parameter lies under `prefix` (a structure, list or map member that was sent). */
function sentUnder(params: Params, prefix: string): boolean {
  for (const key of params.keys()) if (key.startsWith(prefix)) return true;
  return false;
}

export function structureFromQuery(walker: InputWalker, shape: StructureShape, params: Params, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, ref } of walker.membersOf(shape)) {
    const value = memberFromQuery(walker, ref, name, params, `${prefix}${name}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function memberFromQuery(walker: InputWalker, ref: MemberRef, name: string, params: Params, key: string): unknown {
  const shape = walker.shape(ref.shape);
  switch (shape.type) {
    case 'structure':
      return sentUnder(params, `${key}.`) ? structureFromQuery(walker, shape, params, `${key}.`) : undefined;
    case 'list':
      return listFromQuery(walker, shape, name, params, key);
    case 'map':
      return mapFromQuery(walker, shape, name, params, key);
    default: {
      const values = params.get(key);
      return values === undefined ? undefined : walker.fromText(ref, name, values);
    }
  }
}

function listFromQuery(walker: InputWalker, shape: ListShape, name: string, params: Params, key: string): unknown[] | undefined {
  if (!sentUnder(params, `${key}.member.`)) return params.get(key)?.at(-1) === '' ? [] : undefined;
  const items: unknown[] = [];
  for (let n = 1; ; n++) {
    const itemKey = `${key}.member.${n}`;
    if (!params.has(itemKey) && !sentUnder(params, `${itemKey}.`)) break;
    items.push(memberFromQuery(walker, shape.member, name, params, itemKey));
  }
  return items;
}

function mapFromQuery(walker: InputWalker, shape: MapShape, name: string, params: Params, key: string): Record<string, unknown> | undefined {
  if (!sentUnder(params, `${key}.entry.`)) return undefined;
  const out: Record<string, unknown> = {};
  for (let n = 1; ; n++) {
    const entryKey = params.get(`${key}.entry.${n}.key`)?.at(-1);
    if (entryKey === undefined) break;
    out[entryKey] = memberFromQuery(walker, shape.value, name, params, `${key}.entry.${n}.value`);
  }
  return out;
}
