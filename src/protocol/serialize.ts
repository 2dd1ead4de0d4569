// Writes success and error responses exactly as the reference's wire section says.
import type { ServerResponse } from 'node:http';
import type { OperationModel, ServiceModel, StructureShape } from '../model/types.ts';
import { COMMON_ERROR_STATUS, ServiceError } from './errors.ts';
import { serializeQueryError, serializeQueryOutput } from './serialize-xml.ts';

const CONTENT_TYPE = { 'rest-json': 'application/json', json: 'application/x-amz-json-1.1', query: 'text/xml' } as const;

/** Turns a handler's value for one shape into its wire form (undefined: leave the member out). */
type ToWire = (value: unknown) => unknown;

export interface OutputOptions {
  /**
   * Throw on a member the model's output shape lacks instead of dropping it: under test, a misspelled output
   * member then fails the request (and so the test) rather than silently going missing from the answer.
   */
  refuseUnmodelledMembers: boolean;
}

// One converter per (model, shape, strictness), built on first use: walking the shape's members from the model
// on every value cost more than the conversion itself on list-heavy answers (ListRecords) in the CPU profile.
const converters = new WeakMap<ServiceModel, Map<string, ToWire>>();
const strictConverters = new WeakMap<ServiceModel, Map<string, ToWire>>();

function converterFor(model: ServiceModel, shapeName: string, strict: boolean): ToWire {
  const cache = strict ? strictConverters : converters;
  let forModel = cache.get(model);
  if (!forModel) cache.set(model, (forModel = new Map()));
  const known = forModel.get(shapeName);
  if (known) return known;
  const built = buildConverter(model, shapeName, strict);
  forModel.set(shapeName, built);
  return built;
}

/**
 * Only modelled members leave the server, timestamps as epoch seconds, blobs as base64. Member converters
 * are looked up when first needed, so recursive shapes need no special case.
 */
function buildConverter(model: ServiceModel, shapeName: string, strict: boolean): ToWire {
  const shape = model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure':
      return structureConverter(model, shapeName, shape, strict);
    case 'list': {
      let item: ToWire | undefined;
      return (value) =>
        (value as unknown[]).map((entry) =>
          entry === undefined || entry === null ? undefined : (item ??= converterFor(model, shape.member.shape, strict))(entry),
        );
    }
    case 'map': {
      let entryValue: ToWire | undefined;
      return (value) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          out[k] = v === undefined || v === null ? undefined : (entryValue ??= converterFor(model, shape.value.shape, strict))(v);
        }
        return out;
      };
    }
    case 'timestamp':
      return (value) => (value instanceof Date ? value.getTime() / 1000 : value);
    case 'blob':
      return (value) => (Buffer.isBuffer(value) ? value.toString('base64') : value);
    default:
      return (value) => value;
  }
}

function structureConverter(model: ServiceModel, shapeName: string, shape: StructureShape, strict: boolean): ToWire {
  const members = Object.entries(shape.members)
    .filter(([, ref]) => !ref.location)
    .map(([name, ref]) => ({ name, shape: ref.shape, convert: undefined as ToWire | undefined }));
  const convert: ToWire = (value) => {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const member of members) {
      const memberValue = source[member.name];
      if (memberValue === undefined || memberValue === null) continue;
      const converted = (member.convert ??= converterFor(model, member.shape, strict))(memberValue);
      if (converted !== undefined) out[member.name] = converted;
    }
    return out;
  };
  if (!strict) return convert;
  return (value) => {
    for (const name of Object.keys(value as object)) {
      if (!Object.hasOwn(shape.members, name)) throw new Error(`output member ${name} is not in the model's ${shapeName}`);
    }
    return convert(value);
  };
}

export function serializeOutput(
  model: ServiceModel,
  outputShape: string | undefined,
  output: unknown,
  options: OutputOptions = { refuseUnmodelledMembers: false },
): string {
  if (output === undefined || output === null) return '{}';
  if (!outputShape) {
    if (options.refuseUnmodelledMembers && Object.keys(output).length > 0) throw new Error('the operation has no output, but its handler answered members');
    return '{}';
  }
  return JSON.stringify(converterFor(model, outputShape, options.refuseUnmodelledMembers)(output));
}

/** An operation's answer in its service's protocol: JSON for rest-json and JSON 1.1, XML for the query protocol. */
export function serializeOperationOutput(
  model: ServiceModel,
  operation: OperationModel,
  output: unknown,
  requestId: string,
  options: OutputOptions = { refuseUnmodelledMembers: false },
): string {
  return model.protocol === 'query'
    ? serializeQueryOutput(model, operation, output, requestId, options)
    : serializeOutput(model, operation.output, output, options);
}

export function writeSuccess(res: ServerResponse, model: ServiceModel | undefined, status: number, requestId: string, body: string) {
  res.writeHead(status, {
    'Content-Type': CONTENT_TYPE[model?.protocol ?? 'rest-json'],
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

// The status of each error code a model defines. An error shape's wire code may differ from its name (STS's
// InvalidIdentityTokenException answers code InvalidIdentityToken); errors are thrown by wire code.
const statusByCode = new WeakMap<ServiceModel, Map<string, number>>();

function modelErrorStatus(model: ServiceModel, code: string): number | undefined {
  let statuses = statusByCode.get(model);
  if (!statuses) {
    statuses = new Map();
    for (const shape of Object.values(model.shapes)) if (shape.type === 'structure' && shape.error) statuses.set(shape.error.code, shape.error.httpStatusCode);
    statusByCode.set(model, statuses);
  }
  return statuses.get(code);
}

export function errorStatus(model: ServiceModel | undefined, error: ServiceError): number {
  if (error.status !== undefined) return error.status;
  return (model && modelErrorStatus(model, error.code)) ?? COMMON_ERROR_STATUS[error.code] ?? 400;
}

/**
 * Errors carry the code in the `x-amzn-ErrorType` header (with the trailing colon AWS sends) and in the
 * body's `__type`, so that Android (header, then body), iOS (header) and the JS/Python SDKs (either) agree.
 */
export function errorBody(error: ServiceError): string {
  return JSON.stringify({ __type: error.code, message: error.message });
}

export function writeError(res: ServerResponse, model: ServiceModel | undefined, requestId: string, error: ServiceError): number {
  const status = errorStatus(model, error);
  const query = model?.protocol === 'query';
  const body = query ? serializeQueryError(model!, error, status, requestId) : errorBody(error);
  if (!res.headersSent) {
    res.writeHead(status, {
      ...error.headers,
      'Content-Type': CONTENT_TYPE[model?.protocol ?? 'rest-json'],
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': requestId,
      // Query protocol clients read the code from the XML body only.
      ...(!query && { 'x-amzn-ErrorType': `${error.code}:` }),
    });
  }
  res.end(body);
  return status;
}
