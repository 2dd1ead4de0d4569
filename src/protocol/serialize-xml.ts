// The AWS query protocol's answers (STS): XML in the service's namespace, driven by the output shape.
//   <{Operation}Response xmlns="…"><{resultWrapper}>…members…</{resultWrapper}><ResponseMetadata><RequestId>…
// and errors as <ErrorResponse xmlns="…"><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>.
// Members are elements named as in the model; lists hold <member> items, maps <entry><key/><value/></entry>;
// timestamps are ISO 8601.
import type { OperationModel, ServiceModel } from '../model/types.ts';
import type { ServiceError } from './errors.ts';
import type { OutputOptions } from './serialize.ts';

const XML_SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']|[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, (c) => XML_SPECIAL[c] ?? `&#x${c.charCodeAt(0).toString(16)};`);
}

const element = (name: string, content: string) => `<${name}>${content}</${name}>`;

/**
 * The content of an element holding `value` of shape `shapeName`; undefined leaves the element out. `strict`
 * (under test): a member the shape lacks throws instead of being dropped.
 */
function content(model: ServiceModel, shapeName: string, value: unknown, strict: boolean): string | undefined {
  if (value === undefined || value === null) return undefined;
  const shape = model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure': {
      if (strict) {
        for (const name of Object.keys(value as object)) {
          if (!Object.hasOwn(shape.members, name)) throw new Error(`output member ${name} is not in the model's ${shapeName}`);
        }
      }
      let out = '';
      for (const [name, ref] of Object.entries(shape.members)) {
        const inner = content(model, ref.shape, (value as Record<string, unknown>)[name], strict);
        if (inner !== undefined) out += element(name, inner);
      }
      return out;
    }
    case 'list':
      return (value as unknown[]).map((item) => element('member', content(model, shape.member.shape, item, strict) ?? '')).join('');
    case 'map':
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => element('entry', element('key', escapeXml(k)) + element('value', content(model, shape.value.shape, v, strict) ?? '')))
        .join('');
    case 'timestamp':
      return (value instanceof Date ? value : new Date(value as string)).toISOString().replace(/\.000Z$/, 'Z');
    case 'blob':
      return Buffer.isBuffer(value) ? value.toString('base64') : escapeXml(String(value));
    default:
      return escapeXml(String(value));
  }
}

const responseMetadata = (requestId: string) => element('ResponseMetadata', element('RequestId', escapeXml(requestId)));

export function serializeQueryOutput(model: ServiceModel, operation: OperationModel, output: unknown, requestId: string, options: OutputOptions): string {
  const result = operation.output ? content(model, operation.output, output ?? {}, options.refuseUnmodelledMembers) : undefined;
  const wrapped = result !== undefined && operation.resultWrapper ? element(operation.resultWrapper, result) : (result ?? '');
  return `<${operation.name}Response xmlns="${escapeXml(model.xmlNamespace ?? '')}">${wrapped}${responseMetadata(requestId)}</${operation.name}Response>`;
}

export function serializeQueryError(model: ServiceModel, error: ServiceError, status: number, requestId: string): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const detail = element('Type', type) + element('Code', escapeXml(error.code)) + element('Message', escapeXml(error.message));
  return `<ErrorResponse xmlns="${escapeXml(model.xmlNamespace ?? '')}">${element('Error', detail)}${element('RequestId', escapeXml(requestId))}</ErrorResponse>`;
}
