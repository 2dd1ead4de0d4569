// Our ServiceModel → TypeScript: each operation's input and output types, the error codes it may answer, and
// one handler interface per service (Smithy's TypeScript server SDK is the anchor), so that a missing
// operation or a misspelled member is a compile error in the providers.
import type { MemberRef, ServiceModel, Shape } from '../../src/model/types.ts';

/** Names the emitted code uses itself; a shape by one of these names would shadow it. */
const RESERVED = new Set(['Date', 'Uint8Array', 'Promise', 'Context']);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export interface TypeNames {
  /** `CognitoSync` → CognitoSyncHandlers, CognitoSyncOperations, CognitoSyncErrorCode. */
  prefix: string;
  /** For comments: `Cognito Sync`. */
  title: string;
}

const isException = (shape: Shape): boolean => shape.type === 'structure' && shape.error !== undefined;
const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const propertyName = (name: string) => (IDENTIFIER.test(name) ? name : literal(name));

export function modelTypes(model: ServiceModel, names: TypeNames): string {
  const shape = (name: string): Shape => {
    const found = model.shapes[name];
    if (!found) throw new Error(`the model has no shape ${name}`);
    return found;
  };

  const typeOf = (ref: MemberRef): string => {
    const target = shape(ref.shape);
    switch (target.type) {
      case 'structure':
        return ref.shape;
      case 'string':
        return target.enum ? ref.shape : 'string';
      case 'list': {
        const item = typeOf(target.member);
        return IDENTIFIER.test(item) ? `${item}[]` : `Array<${item}>`;
      }
      case 'map':
        // Not Record<…>: Cognito Sync has a shape named Record.
        return `{ [key: string]: ${typeOf(target.value)} }`;
      case 'integer':
      case 'long':
      case 'double':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'timestamp':
        return 'Date';
      case 'blob':
        return 'Uint8Array';
    }
  };

  const errorCode = (shapeName: string): string => {
    const error = shape(shapeName);
    if (error.type !== 'structure' || !error.error) throw new Error(`${shapeName} is listed as an error but is not an exception shape`);
    return error.error.code;
  };
  const union = (codes: string[]) => (codes.length === 0 ? 'never' : [...new Set(codes)].map(literal).join(' | '));

  const blocks: string[] = [];
  for (const [name, s] of Object.entries(model.shapes)) {
    if (s.type === 'string' && s.enum) {
      if (RESERVED.has(name)) throw new Error(`the enum shape ${name} would shadow ${name}`);
      blocks.push(`export type ${name} = ${s.enum.map(literal).join(' | ')};`);
    } else if (s.type === 'structure' && !isException(s)) {
      if (RESERVED.has(name)) throw new Error(`the structure ${name} would shadow ${name}`);
      const required = new Set(s.required ?? []);
      const members = Object.entries(s.members).map(
        ([member, ref]) => `  ${propertyName(member)}${required.has(member) ? '' : '?'}: ${typeOf(ref)};`,
      );
      blocks.push(members.length === 0 ? `export interface ${name} {}` : `export interface ${name} {\n${members.join('\n')}\n}`);
    }
  }

  const exceptionCodes = Object.entries(model.shapes).filter(([, s]) => isException(s)).map(([name]) => errorCode(name));
  const operations = Object.values(model.operations);
  const inputOf = (op: (typeof operations)[number]) => op.input ?? 'object';
  const outputOf = (op: (typeof operations)[number]) => op.output ?? 'void';

  const operationTable = operations.map(
    (op) => `  ${op.name}: { input: ${inputOf(op)}; output: ${outputOf(op)}; errors: ${union(op.errors.map(errorCode))} };`,
  );
  const handlerMethods = operations.map((op) => {
    const notes = [
      model.protocol === 'rest-json' ? `${op.http.method} ${op.http.requestUri}` : undefined,
      op.unsigned ? 'Served unsigned (smithy.api#noAuth).' : undefined,
    ].filter((note) => note !== undefined);
    const comment = notes.length > 0 ? `  /** ${notes.join(' ')} */\n` : '';
    return `${comment}  ${op.name}(input: ${inputOf(op)}, context: Context): Promise<${outputOf(op)}>;`;
  });

  return [
    `// The ${names.title} operations as types: the shapes of their inputs and outputs, the error codes each one`,
    `// may answer, and ${names.prefix}Handlers, what a provider of the service implements.`,
    '',
    blocks.join('\n\n'),
    '',
    `/** Every error code the ${names.title} model defines. */`,
    `export type ${names.prefix}ErrorCode = ${union(exceptionCodes)};`,
    '',
    '/** Each operation: its input, its output, and the error codes it may answer. */',
    `export interface ${names.prefix}Operations {`,
    ...operationTable,
    '}',
    '',
    '/**',
    ` * A ${names.title} provider: one method per operation, given the input already checked against the model,`,
    ' * answering the output or throwing one of the errors the operation declares.',
    ' */',
    `export interface ${names.prefix}Handlers<Context> {`,
    ...handlerMethods,
    '}',
    '',
  ].join('\n');
}
