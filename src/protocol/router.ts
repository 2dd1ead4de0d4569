// Finds the operation a request names: rest-json by method + URI template, JSON 1.1 by X-Amz-Target, the AWS
// query protocol (STS) by its `Action` and `Version` parameters. Knows no operation by name; everything comes
// from the service models.
import type { OperationModel, ServiceModel } from '../model/types.ts';
import { type ErrorCode, ServiceError } from './errors.ts';

export interface RouteMatch {
  service: ServiceModel;
  operation: OperationModel;
  /** Percent-decoded URI labels; empty for the target form. */
  uriParams: Record<string, string>;
  /** True when the operation was named by X-Amz-Target and all members travel in the body. */
  targetForm: boolean;
  /** Query protocol: the request's parameters (query string, then form body), where every member travels. */
  queryParams?: Map<string, string[]>;
}

/** What the router reads of a request. */
export interface RoutableRequest {
  method: string;
  /** The raw path, without the query string. */
  path: string;
  target?: string;
  /** The query string's parameters merged with a form body's: the query protocol's members. */
  params: Map<string, string[]>;
  /** The body is an HTML form (`application/x-www-form-urlencoded`): a query protocol POST. */
  form: boolean;
}

/** A request no operation matches; `service` names the service it was meant for when that is clear. */
export class RoutingError extends ServiceError {
  readonly service: ServiceModel | undefined;
  constructor(code: ErrorCode, message: string, options: { status?: number; service?: ServiceModel } = {}) {
    super(code, message, { status: options.status });
    this.service = options.service;
  }
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
  private readonly queryServices: readonly ServiceModel[];

  constructor(services: ServiceModel[]) {
    this.services = services;
    this.queryServices = services.filter((s) => s.protocol === 'query');
    for (const service of services) {
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

  route(request: RoutableRequest): RouteMatch {
    const { method, path, target } = request;
    const atRoot = path === '/' || path === '';
    // The target form always posts to '/'. A REST path wins over a stray X-Amz-Target header (some
    // SDKs send one derived from service metadata on rest-json calls too).
    if (target !== undefined && atRoot) return this.routeTarget(method, target);
    // Query protocol requests go to '/' too, naming their operation by `Action` (GET) or as a form (POST).
    if (atRoot && this.queryServices.length > 0 && (request.params.has('Action') || request.form)) return this.routeQuery(request);
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

  private routeQuery(request: RoutableRequest): RouteMatch {
    const last = (name: string) => request.params.get(name)?.at(-1);
    const action = last('Action');
    const version = last('Version');
    const candidates = version === undefined ? this.queryServices : this.queryServices.filter((s) => s.apiVersion === version);
    // Which service a refusal speaks for: the one the version names, or the only one there is.
    const speaker = candidates.length === 1 ? candidates[0] : this.queryServices.length === 1 ? this.queryServices[0] : undefined;
    if (action === undefined || action === '') {
      throw new RoutingError('MissingAction', 'The request names no Action: query protocol requests carry Action=<operation>&Version=<API version>.', { service: speaker });
    }
    for (const service of candidates) {
      const operation = service.operations[action];
      if (!operation) continue;
      if (request.method !== 'POST' && request.method !== 'GET') {
        throw new RoutingError('InvalidAction', `${action} is served by GET or POST, not ${request.method}.`, { status: 405, service });
      }
      return { service, operation, uriParams: {}, targetForm: false, queryParams: request.params };
    }
    throw new RoutingError('InvalidAction', `Could not find operation ${action} for version ${version ?? '(none given)'}`, { service: speaker });
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
