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
  /** The error shapes the operation may answer: the model's, and any the generator adds from the API reference. */
  errors: string[];
  /** True for operations the service serves without a signature (smithy.api#noAuth). */
  unsigned?: boolean;
  /** Query protocol: the element the output members are wrapped in (`<AssumeRoleResult>`). */
  resultWrapper?: string;
}

export interface ServiceModel {
  /** Endpoint prefix and SigV4 signing name. */
  signingName: string;
  /** The API version (`2014-06-30`); the query protocol's `Version` parameter. */
  apiVersion: string;
  protocol: 'rest-json' | 'json' | 'query';
  /** X-Amz-Target prefix (`<prefix>.<Operation>`); absent for the query protocol, which names operations by `Action`. */
  targetPrefix?: string;
  /** Query protocol: the namespace of the XML answers. */
  xmlNamespace?: string;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}
