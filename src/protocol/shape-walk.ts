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

export class InputWalker {
  private readonly model: ServiceModel;
  private readonly codes: { malformed: ErrorCode; invalid: ErrorCode };
  private violations: string[] = [];

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

  /** Coerces a JSON value to the member's type, recursing into structures, lists and maps. */
  fromJson(ref: MemberRef, path: string, value: unknown): unknown {
    if (value === null || value === undefined) return undefined;
    const shape = this.shape(ref.shape);
    const mismatch = (expected: string) =>
      this.malformed(`Expected ${expected} for '${path}' but found ${typeName(value)}`);
    switch (shape.type) {
      case 'structure': {
        if (typeof value !== 'object' || Array.isArray(value)) throw mismatch('an object');
        return this.structureFromJson(shape, path, value as Record<string, unknown>);
      }
      // A null element stays null (a null member is simply absent): validate() refuses it by name, so
      // no handler ever meets a hole in a list or map.
      case 'list': {
        if (!Array.isArray(value)) throw mismatch('an array');
        return value.map((item, i) => (item === null ? null : this.fromJson(shape.member, `${path}.${i + 1}.member`, item)));
      }
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) throw mismatch('an object');
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (!isWellFormedText(k)) throw this.malformed(notUnicode(`A key of '${path}'`));
          out[k] = v === null ? null : this.fromJson(shape.value, `${path}.${k}`, v);
        }
        return out;
      }
      case 'string':
        if (typeof value !== 'string') throw mismatch('a string');
        if (!isWellFormedText(value)) throw this.malformed(notUnicode(`The value at '${path}'`));
        return value;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw mismatch('an integer');
        return value;
      case 'double':
        if (typeof value !== 'number') throw mismatch('a number');
        return value;
      case 'boolean':
        if (typeof value !== 'boolean') throw mismatch('a boolean');
        return value;
      case 'timestamp':
        if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
        if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
        throw mismatch('a timestamp (epoch seconds)');
      case 'blob':
        if (typeof value !== 'string') throw mismatch('a base64 string');
        return Buffer.from(value, 'base64');
    }
  }

  structureFromJson(shape: StructureShape, path: string, value: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members)) {
      if (value[name] === undefined) continue;
      const converted = this.fromJson(ref, path ? `${path}.${wirePath(name)}` : wirePath(name), value[name]);
      if (converted !== undefined) out[name] = converted;
    }
    return out;
  }

  /** Throws InvalidParameterException listing every constraint the input breaks. */
  validate(shapeName: string, input: Record<string, unknown>): void {
    this.violations = [];
    this.checkStructure(this.shape(shapeName) as StructureShape, '', input);
    const found = this.violations;
    if (found.length === 0) return;
    const noun = found.length === 1 ? 'validation error' : 'validation errors';
    throw new ServiceError(this.codes.invalid, `${found.length} ${noun} detected: ${found.join('; ')}`);
  }

  private fail(value: unknown, path: string, rule: string) {
    this.violations.push(`Value ${describeValue(value)} at '${path}' failed to satisfy constraint: ${rule}`);
  }

  private checkStructure(shape: StructureShape, path: string, value: Record<string, unknown>) {
    for (const required of shape.required ?? []) {
      if (value[required] === undefined) this.fail(null, path ? `${path}.${wirePath(required)}` : wirePath(required), 'Member must not be null');
    }
    for (const [name, ref] of Object.entries(shape.members)) {
      const member = value[name];
      if (member !== undefined) this.check(ref, path ? `${path}.${wirePath(name)}` : wirePath(name), member);
    }
  }

  private check(ref: MemberRef, path: string, value: unknown) {
    // Only list elements and map values can be null here (see fromJson).
    if (value === null) {
      this.fail(null, path, 'Member must not be null');
      return;
    }
    const shape = this.shape(ref.shape);
    switch (shape.type) {
      case 'structure':
        this.checkStructure(shape, path, value as Record<string, unknown>);
        return;
      case 'list': {
        const items = value as unknown[];
        this.checkSize(items.length, shape, value, path, 'length');
        items.forEach((item, i) => this.check(shape.member, `${path}.${i + 1}.member`, item));
        return;
      }
      case 'map': {
        const entries = Object.entries(value as Record<string, unknown>);
        this.checkSize(entries.length, shape, value, path, 'length');
        for (const [k, v] of entries) {
          this.check(shape.key, `${path}.key`, k);
          this.check(shape.value, `${path}.${k}`, v);
        }
        return;
      }
      case 'string': {
        const text = value as string;
        this.checkSize(text.length, shape, text, path, 'length');
        if (shape.enum && !shape.enum.includes(text)) {
          this.fail(text, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
        }
        if (shape.pattern && !compileModelPattern(shape.pattern).test(text)) {
          this.fail(text, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
        }
        return;
      }
      case 'integer':
      case 'long':
      case 'double':
        this.checkSize(value as number, shape, value, path, 'value');
        return;
      default:
        return;
    }
  }

  private checkSize(measure: number, shape: Shape, value: unknown, path: string, what: 'length' | 'value') {
    if (shape.min !== undefined && measure < shape.min) {
      this.fail(value, path, `Member must have ${what} greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && measure > shape.max) {
      this.fail(value, path, `Member must have ${what} less than or equal to ${shape.max}`);
    }
  }
}
