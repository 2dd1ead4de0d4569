// The shape of our service models: a trimmed, typed copy of the Smithy/botocore JSON model,
// kept as data so that the protocol layer can route, parse, validate and serialize any operation
// without knowing it by name.

export type MemberLocation = 'uri' | 'querystring' | 'header' | 'body';

export interface MemberRef {
  shape: string;
  location?: Exclude<MemberLocation, 'body'>;
  /** Wire name for uri/querystring/header members (e.g. `lastSyncCount`, `x-amz-Client-Context`). */
  locationName?: string;
}

interface ShapeBase {
  min?: number;
  max?: number;
}

export interface StructureShape extends ShapeBase {
  type: 'structure';
  members: Record<string, MemberRef>;
  required?: string[];
  /** Present on exception shapes. */
  error?: { code: string; httpStatusCode: number; fault?: 'client' | 'server' };
}
export interface StringShape extends ShapeBase {
  type: 'string';
  pattern?: string;
  enum?: string[];
}
export interface ListShape extends ShapeBase {
  type: 'list';
  member: MemberRef;
}
export interface MapShape extends ShapeBase {
  type: 'map';
  key: MemberRef;
  value: MemberRef;
}
export interface ScalarShape extends ShapeBase {
  type: 'integer' | 'long' | 'boolean' | 'timestamp' | 'blob' | 'double';
}
export type Shape = StructureShape | StringShape | ListShape | MapShape | ScalarShape;

export interface OperationModel {
  name: string;
  http: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; requestUri: string; responseCode: number };
  input?: string;
  output?: string;
  errors: string[];
  /** True for operations the service serves without a signature (smithy.api#noAuth). */
  unsigned?: boolean;
}

export interface ServiceModel {
  /** Endpoint prefix and SigV4 signing name. */
  signingName: string;
  protocol: 'rest-json' | 'json';
  /** X-Amz-Target prefix (`<prefix>.<Operation>`). */
  targetPrefix: string;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}
