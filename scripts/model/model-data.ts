// botocore's JSON model → our ServiceModel: only what routing, parsing, validation, authorization and
// serialization read (documentation and the like are left out).
import type { MemberRef, OperationModel, ServiceModel, Shape } from '../../src/model/types.ts';
import { compileModelPattern } from '../../src/protocol/model-pattern.ts';
import type { BotocoreMember, BotocoreModel } from './botocore.ts';

const KEEP_SHAPE_KEYS = ['type', 'min', 'max', 'pattern', 'enum', 'required'] as const;

function trimMember(m: BotocoreMember): MemberRef {
  const out: Record<string, unknown> = { shape: m.shape };
  if (m.location) out.location = m.location;
  if (m.locationName && m.location) out.locationName = m.locationName;
  return out as unknown as MemberRef;
}

const PROTOCOLS: ReadonlyArray<ServiceModel['protocol']> = ['rest-json', 'json', 'query'];

export function modelData(raw: BotocoreModel, fallbackTargetPrefix: string | undefined): ServiceModel {
  const protocol = PROTOCOLS.find((p) => p === raw.metadata.protocol);
  if (!protocol) throw new Error(`protocol ${raw.metadata.protocol} is not one the server reads (${PROTOCOLS.join(', ')})`);
  const shapes: Record<string, Shape> = {};
  for (const [name, s] of Object.entries(raw.shapes)) {
    const shape: Record<string, unknown> = {};
    for (const k of KEEP_SHAPE_KEYS) if (s[k] !== undefined) shape[k] = s[k];
    // A pattern we cannot read as Java does fails here rather than matching the wrong values at run time.
    if (s.pattern !== undefined) compileModelPattern(s.pattern);
    if (s.type === 'structure') {
      shape.members = Object.fromEntries(Object.entries(s.members ?? {}).map(([k, v]) => [k, trimMember(v)]));
    }
    if (s.type === 'list') shape.member = trimMember(s.member!);
    if (s.type === 'map') {
      shape.key = trimMember(s.key!);
      shape.value = trimMember(s.value!);
    }
    if (s.exception) {
      const fault = s.fault ? 'server' : 'client';
      shape.error = {
        code: s.error?.code ?? name,
        // AWS JSON 1.1 services without a modelled status answer 400 for client faults, 500 for server.
        httpStatusCode: s.error?.httpStatusCode ?? (fault === 'server' ? 500 : 400),
        fault,
      };
    }
    shapes[name] = shape as unknown as Shape;
  }
  const operations: Record<string, OperationModel> = {};
  for (const [name, o] of Object.entries(raw.operations)) {
    const op: Record<string, unknown> = {
      name,
      http: { method: o.http.method, requestUri: o.http.requestUri, responseCode: o.http.responseCode ?? 200 },
      errors: (o.errors ?? []).map((e) => e.shape),
    };
    if (o.input) op.input = o.input.shape;
    if (o.output) op.output = o.output.shape;
    if (o.output?.resultWrapper) op.resultWrapper = o.output.resultWrapper;
    if (o.authtype === 'none' || (o.auth ?? []).includes('smithy.api#noAuth')) op.unsigned = true;
    operations[name] = op as unknown as OperationModel;
  }
  const targetPrefix = raw.metadata.targetPrefix ?? fallbackTargetPrefix;
  return {
    signingName: raw.metadata.signingName ?? raw.metadata.endpointPrefix,
    apiVersion: raw.metadata.apiVersion,
    protocol,
    ...(targetPrefix !== undefined && { targetPrefix }),
    ...(raw.metadata.xmlNamespace !== undefined && { xmlNamespace: raw.metadata.xmlNamespace }),
    operations,
    shapes,
  };
}
