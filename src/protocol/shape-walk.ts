// Turns wire values into typed input values (strings from URI/query/header, JSON from the body) and
// checks every modelled constraint. One pass: coercion errors are SerializationException (the value
// is not of the member's type at all), constraint failures are InvalidParameterException with the
// Coral-style message AWS services send ("N validation errors detected: Value ... at '...' failed to
// satisfy constraint: ...").
import type { MemberRef, ServiceModel, Shape, StructureShape } from '../model/types.ts';
import { type ErrorCode, ServiceError } from './errors.ts';
import { compileModelPattern } from './model-pattern.ts';
import { isWellFormedText } from './utf8-text.ts';

/** The member path AWS prints in validation messages: lowerCamel names joined by dots. */
const wirePath = (memberName: string) => memberName.charAt(0).toLowerCase() + memberName.slice(1);

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.length > 100 ? `${text.slice(0, 100)}...` : text}'`;
}

// AWS's JSON parsers refuse such text too; storing it would mean answering one value and keeping another.
const notUnicode = (what: string) =>
  `${what} is not valid Unicode text: it holds invalid UTF-8 or an unpaired surrogate escape (\\ud800-\\udfff)`;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * The codes a protocol answers bad input with: JSON services say SerializationException (not of the member's
 * type) and InvalidParameterException (a broken constraint); query services (STS) say ValidationError for both.
 */
function inputErrorCodes(model: ServiceModel): { malformed: ErrorCode; invalid: ErrorCode } {
  return model.protocol === 'query'
    ? { malformed: 'ValidationError', invalid: 'ValidationError' }
    : { malformed: 'SerializationException', invalid: 'InvalidParameterException' };
}

export interface WalkedMember {
  name: string;
  ref: MemberRef;
  /** The member's segment of a validation path (lowerCamel). */
  wireName: string;
  location: MemberRef['location'];
}

export class InputWalker {
  private readonly model: ServiceModel;
  private readonly codes: { malformed: ErrorCode; invalid: ErrorCode };
  private violations: string[] = [];
  /** Where the walk is: member wire names, list positions and map keys (see pathText). */
  private readonly path: Array<string | number> = [];
  private readonly memberTables = new WeakMap<StructureShape, readonly WalkedMember[]>();

  constructor(model: ServiceModel) {
    this.model = model;
    this.codes = inputErrorCodes(model);
    // Every pattern is compiled now, so one that cannot be read stops the server's start.
    for (const shape of Object.values(model.shapes)) {
      if (shape.type === 'string' && shape.pattern) compileModelPattern(shape.pattern);
    }
  }

  private malformed(message: string): ServiceError {
    return new ServiceError(this.codes.malformed, message);
  }

  shape(name: string): Shape {
    const shape = this.model.shapes[name];
    if (!shape) throw new Error(`model has no shape ${name}`);
    return shape;
  }

  /** Converts a string that arrived in a URI label, query string or header to the member's type. */
  fromText(ref: MemberRef, memberName: string, text: string | string[]): unknown {
    const shape = this.shape(ref.shape);
    if (shape.type === 'list') {
      const items = Array.isArray(text) ? text : [text];
      return items.map((item) => this.fromText(shape.member, memberName, item));
    }
    const single = Array.isArray(text) ? text[text.length - 1]! : text;
    switch (shape.type) {
      case 'integer':
      case 'long': {
        if (!/^-?\d+$/.test(single)) throw this.malformed(`Value '${single}' for ${memberName} is not an integer`);
        const n = Number(single);
        if (!Number.isSafeInteger(n)) throw this.malformed(`Value '${single}' for ${memberName} is out of range`);
        return n;
      }
      case 'boolean':
        if (single !== 'true' && single !== 'false') throw this.malformed(`Value '${single}' for ${memberName} is not a boolean`);
        return single === 'true';
      case 'timestamp': {
        const asNumber = Number(single);
        const date = Number.isFinite(asNumber) && single.trim() !== '' ? new Date(asNumber * 1000) : new Date(single);
        if (Number.isNaN(date.getTime())) throw this.malformed(`Value '${single}' for ${memberName} is not a timestamp`);
        return date;
      }
      default:
        return single;
    }
  }

  /** A structure's members with what the walks need of each, worked out once per shape. */
  membersOf(shape: StructureShape): readonly WalkedMember[] {
    let members = this.memberTables.get(shape);
    if (!members) {
      members = Object.entries(shape.members).map(([name, ref]) => ({ name, ref, wireName: wirePath(name), location: ref.location }));
      this.memberTables.set(shape, members);
    }
    return members;
  }

  /** The path of the value being walked, as AWS prints it ('recordPatches.1.member.key'); built only for a message. */
  private pathText(): string {
    return this.path.join('.');
  }

  private mismatch(expected: string, value: unknown): ServiceError {
    return this.malformed(`Expected ${expected} for '${this.pathText()}' but found ${typeName(value)}`);
  }

  /**
   * Coerces a JSON object to the structure's members, recursing into structures, lists and maps. `bodyOnly`:
   * only the members the body carries (those without a URI, query string or header location).
   */
  structureFromJson(shape: StructureShape, value: Record<string, unknown>, options: { bodyOnly?: boolean } = {}): Record<string, unknown> {
    this.path.length = 0;
    return this.structure(shape, value, options.bodyOnly === true);
  }

  private structure(shape: StructureShape, value: Record<string, unknown>, bodyOnly = false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const { name, ref, wireName, location } of this.membersOf(shape)) {
      const member = value[name];
      if (member === undefined || (bodyOnly && location !== undefined)) continue;
      this.path.push(wireName);
      const converted = this.fromJson(ref, member);
      this.path.pop();
      if (converted !== undefined) out[name] = converted;
    }
    return out;
  }

  private fromJson(ref: MemberRef, value: unknown): unknown {
    if (value === null || value === undefined) return undefined;
    const shape = this.shape(ref.shape);
    switch (shape.type) {
      case 'structure': {
        if (typeof value !== 'object' || Array.isArray(value)) throw this.mismatch('an object', value);
        return this.structure(shape, value as Record<string, unknown>);
      }
      // A null element stays null (a null member is simply absent): validate() refuses it by name, so
      // no handler ever meets a hole in a list or map.
      case 'list': {
        if (!Array.isArray(value)) throw this.mismatch('an array', value);
        return value.map((item, i) => (item === null ? null : this.within(i + 1, 'member', () => this.fromJson(shape.member, item))));
      }
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) throw this.mismatch('an object', value);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (!isWellFormedText(k)) throw this.malformed(notUnicode(`A key of '${this.pathText()}'`));
          out[k] = v === null ? null : this.within(k, undefined, () => this.fromJson(shape.value, v));
        }
        return out;
      }
      case 'string':
        if (typeof value !== 'string') throw this.mismatch('a string', value);
        if (!isWellFormedText(value)) throw this.malformed(notUnicode(`The value at '${this.pathText()}'`));
        return value;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw this.mismatch('an integer', value);
        return value;
      case 'double':
        if (typeof value !== 'number') throw this.mismatch('a number', value);
        return value;
      case 'boolean':
        if (typeof value !== 'boolean') throw this.mismatch('a boolean', value);
        return value;
      case 'timestamp':
        if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
        if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
        throw this.mismatch('a timestamp (epoch seconds)', value);
      case 'blob':
        if (typeof value !== 'string') throw this.mismatch('a base64 string', value);
        return Buffer.from(value, 'base64');
    }
  }

  /** Runs `walk` with the path one or two segments deeper: a list item is `<n>.member`, a map value its key. */
  private within<T>(segment: string | number, then: string | undefined, walk: () => T): T {
    const depth = this.path.length;
    this.path.push(segment);
    if (then !== undefined) this.path.push(then);
    const result = walk();
    this.path.length = depth;
    return result;
  }

  /** Throws InvalidParameterException listing every constraint the input breaks. */
  validate(shapeName: string, input: Record<string, unknown>): void {
    this.violations = [];
    this.path.length = 0;
    this.checkStructure(this.shape(shapeName) as StructureShape, input);
    const found = this.violations;
    if (found.length === 0) return;
    const noun = found.length === 1 ? 'validation error' : 'validation errors';
    throw new ServiceError(this.codes.invalid, `${found.length} ${noun} detected: ${found.join('; ')}`);
  }

  private fail(value: unknown, rule: string) {
    this.violations.push(`Value ${describeValue(value)} at '${this.pathText()}' failed to satisfy constraint: ${rule}`);
  }

  private checkStructure(shape: StructureShape, value: Record<string, unknown>) {
    for (const required of shape.required ?? []) {
      if (value[required] === undefined) this.within(wirePath(required), undefined, () => this.fail(null, 'Member must not be null'));
    }
    for (const { name, ref, wireName } of this.membersOf(shape)) {
      const member = value[name];
      if (member === undefined) continue;
      this.path.push(wireName);
      this.check(ref, member);
      this.path.pop();
    }
  }

  private check(ref: MemberRef, value: unknown) {
    // Only list elements and map values can be null here (see fromJson).
    if (value === null) {
      this.fail(null, 'Member must not be null');
      return;
    }
    const shape = this.shape(ref.shape);
    switch (shape.type) {
      case 'structure':
        this.checkStructure(shape, value as Record<string, unknown>);
        return;
      case 'list': {
        const items = value as unknown[];
        this.checkSize(items.length, shape, value, 'length');
        items.forEach((item, i) => this.within(i + 1, 'member', () => this.check(shape.member, item)));
        return;
      }
      case 'map': {
        const entries = Object.entries(value as Record<string, unknown>);
        this.checkSize(entries.length, shape, value, 'length');
        for (const [k, v] of entries) {
          this.within('key', undefined, () => this.check(shape.key, k));
          this.within(k, undefined, () => this.check(shape.value, v));
        }
        return;
      }
      case 'string': {
        const text = value as string;
        this.checkSize(text.length, shape, text, 'length');
        if (shape.enum && !shape.enum.includes(text)) {
          this.fail(text, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
        }
        if (shape.pattern && !compileModelPattern(shape.pattern).test(text)) {
          this.fail(text, `Member must satisfy regular expression pattern: ${shape.pattern}`);
        }
        return;
      }
      case 'integer':
      case 'long':
      case 'double':
        this.checkSize(value as number, shape, value, 'value');
        return;
      default:
        return;
    }
  }

  private checkSize(measure: number, shape: Shape, value: unknown, what: 'length' | 'value') {
    if (shape.min !== undefined && measure < shape.min) {
      this.fail(value, `Member must have ${what} greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && measure > shape.max) {
      this.fail(value, `Member must have ${what} less than or equal to ${shape.max}`);
    }
  }
}
