// Writes success and error responses exactly as the reference's wire section says.
import type { ServerResponse } from 'node:http';
import type { MemberRef, ServiceModel, StructureShape } from '../model/types.ts';
import { COMMON_ERROR_STATUS, ServiceError } from './errors.ts';

const CONTENT_TYPE = { 'rest-json': 'application/json', json: 'application/x-amz-json-1.1' } as const;

/** Walks the output shape so only modelled members leave the server, timestamps as epoch seconds. */
function toWire(model: ServiceModel, ref: MemberRef, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case 'structure':
      return structureToWire(model, shape, value as Record<string, unknown>);
    case 'list':
      return (value as unknown[]).map((item) => toWire(model, shape.member, item));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toWire(model, shape.value, v);
      return out;
    }
    case 'timestamp':
      return value instanceof Date ? value.getTime() / 1000 : value;
    case 'blob':
      return Buffer.isBuffer(value) ? value.toString('base64') : value;
    default:
      return value;
  }
}

function structureToWire(model: ServiceModel, shape: StructureShape, value: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members)) {
    if (ref.location) continue;
    const converted = toWire(model, ref, value[name]);
    if (converted !== undefined) out[name] = converted;
  }
  return out;
}

export function serializeOutput(model: ServiceModel, outputShape: string | undefined, output: unknown): string {
  if (!outputShape || output === undefined || output === null) return '{}';
  return JSON.stringify(structureToWire(model, model.shapes[outputShape] as StructureShape, output as Record<string, unknown>));
}

export function writeSuccess(res: ServerResponse, model: ServiceModel | undefined, status: number, requestId: string, body: string) {
  res.writeHead(status, {
    'Content-Type': CONTENT_TYPE[model?.protocol ?? 'rest-json'],
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

export function errorStatus(model: ServiceModel | undefined, error: ServiceError): number {
  if (error.status !== undefined) return error.status;
  const shape = model?.shapes[error.code];
  if (shape?.type === 'structure' && shape.error) return shape.error.httpStatusCode;
  return COMMON_ERROR_STATUS[error.code] ?? 400;
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
  const body = errorBody(error);
  if (!res.headersSent) {
    res.writeHead(status, {
      ...error.headers,
      'Content-Type': CONTENT_TYPE[model?.protocol ?? 'rest-json'],
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': `${error.code}:`,
    });
  }
  res.end(body);
  return status;
}
