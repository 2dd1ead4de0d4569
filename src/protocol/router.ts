// Finds the operation a request names: rest-json by method + URI template, JSON 1.1 by X-Amz-Target.
// Knows no operation by name; everything comes from the service models.
import type { OperationModel, ServiceModel } from '../model/types.ts';
import { ServiceError } from './errors.ts';

export interface RouteMatch {
  service: ServiceModel;
  operation: OperationModel;
  /** Percent-decoded URI labels; empty for the target form. */
  uriParams: Record<string, string>;
  /** True when the operation was named by X-Amz-Target and all members travel in the body. */
  targetForm: boolean;
}

interface CompiledTemplate {
  service: ServiceModel;
  operation: OperationModel;
  method: string;
  /** One entry per path segment: a literal string, or `{ label }`. */
  segments: Array<string | { label: string }>;
  literalCount: number;
}

function compileTemplate(service: ServiceModel, operation: OperationModel): CompiledTemplate {
  const path = operation.http.requestUri.split('?')[0]!;
  const segments = path.split('/').filter(Boolean).map((segment) => {
    const label = /^\{([^}+]+)\+?\}$/.exec(segment);
    return label ? { label: label[1]! } : segment;
  });
  return {
    service,
    operation,
    method: operation.http.method,
    segments,
    literalCount: segments.filter((s) => typeof s === 'string').length,
  };
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ServiceError('InvalidParameterException', `Malformed percent-encoding in URI path segment '${raw}'`, { status: 400 });
  }
}

export class Router {
  private readonly templates: CompiledTemplate[] = [];
  private readonly targets = new Map<string, { service: ServiceModel; operation: OperationModel }>();
  readonly services: readonly ServiceModel[];

  constructor(services: ServiceModel[]) {
    this.services = services;
    for (const service of services) {
      if (service.protocol === 'query') throw new Error(`the router does not route the query protocol (${service.signingName})`);
      for (const operation of Object.values(service.operations)) {
        if (service.targetPrefix !== undefined) {
          this.targets.set(`${service.targetPrefix}.${operation.name}`, { service, operation });
          // Android's marshallers name Cognito Sync operations by the bare service name
          // (`AWSCognitoSyncService.UpdateRecords`) rather than the full Java package prefix.
          const bareName = service.targetPrefix.split('.').at(-1)!;
          this.targets.set(`${bareName}.${operation.name}`, { service, operation });
        }
        if (service.protocol === 'rest-json') this.templates.push(compileTemplate(service, operation));
      }
    }
    // Templates with more literal segments win over ones that would capture the same segment as a label.
    this.templates.sort((a, b) => b.literalCount - a.literalCount);
  }

  route(method: string, path: string, target: string | undefined): RouteMatch {
    // The target form always posts to '/'. A REST path wins over a stray X-Amz-Target header (some
    // SDKs send one derived from service metadata on rest-json calls too).
    if (target !== undefined && (path === '/' || path === '')) return this.routeTarget(method, target);
    const rawSegments = path.split('/').filter(Boolean);
    let methodMismatch = false;
    for (const template of this.templates) {
      if (template.segments.length !== rawSegments.length) continue;
      const uriParams: Record<string, string> = {};
      let matched = true;
      for (let i = 0; i < rawSegments.length; i++) {
        const expected = template.segments[i]!;
        if (typeof expected === 'string') {
          if (expected !== rawSegments[i]) { matched = false; break; }
        } else {
          uriParams[expected.label] = rawSegments[i]!;
        }
      }
      if (!matched) continue;
      if (template.method !== method) { methodMismatch = true; continue; }
      for (const key of Object.keys(uriParams)) uriParams[key] = decodeSegment(uriParams[key]!);
      return { service: template.service, operation: template.operation, uriParams, targetForm: false };
    }
    if (methodMismatch) {
      throw new ServiceError('UnknownOperationException', `No operation accepts ${method} ${path}`, { status: 405 });
    }
    throw new ServiceError('UnknownOperationException', `No operation matches ${method} ${path}`);
  }

  private routeTarget(method: string, target: string): RouteMatch {
    const found = this.targets.get(target);
    if (!found) {
      const prefix = target.slice(0, target.lastIndexOf('.'));
      const known = this.services.some((s) => s.targetPrefix === prefix || s.targetPrefix?.endsWith(`.${prefix}`));
      throw new ServiceError(
        'UnknownOperationException',
        known ? `Unknown operation ${target.slice(prefix.length + 1)} in ${prefix}` : `Unknown X-Amz-Target: ${target}`,
        { status: 400 },
      );
    }
    if (method !== 'POST') {
      throw new ServiceError('UnknownOperationException', `X-Amz-Target requests must use POST, not ${method}`, { status: 405 });
    }
    return { service: found.service, operation: found.operation, uriParams: {}, targetForm: true };
  }
}
