// Assembles an operation's typed input from where the model says each member travels.
import type { IncomingHttpHeaders } from 'node:http';
import type { StructureShape } from '../model/types.ts';
import { serializationError } from './errors.ts';
import type { RouteMatch } from './router.ts';
import { structureFromQuery } from './query-input.ts';
import type { InputWalker } from './shape-walk.ts';
import { decodeUtf8KeepingInvalidBytes } from './utf8-text.ts';

export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8KeepingInvalidBytes(body));
  } catch (error) {
    throw serializationError(`Request body is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw serializationError('Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export function parseInput(
  route: RouteMatch,
  walker: InputWalker,
  query: Map<string, string[]>,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Record<string, unknown> {
  if (!route.operation.input) return {};
  const shape = walker.shape(route.operation.input) as StructureShape;
  // Query protocol: every member is a parameter, and the body (if any) was a form already read into them.
  if (route.queryParams) return structureFromQuery(walker, shape, route.queryParams);
  const json = parseJsonBody(body);

  // Target form (and plain JSON 1.1): every member is in the body, URI members included.
  if (route.targetForm) {
    const input = walker.structureFromJson(shape, json);
    for (const { name, ref } of walker.membersOf(shape)) {
      if (ref.location !== 'header' || input[name] !== undefined) continue;
      const headerValue = headers[ref.locationName!.toLowerCase()];
      if (headerValue !== undefined) input[name] = walker.fromText(ref, name, headerValue);
    }
    return input;
  }

  const input = walker.structureFromJson(shape, json, { bodyOnly: true });
  for (const { name, ref, location } of walker.membersOf(shape)) {
    switch (location) {
      case 'uri': {
        const value = route.uriParams[ref.locationName ?? name];
        if (value !== undefined) input[name] = walker.fromText(ref, name, value);
        break;
      }
      case 'querystring': {
        const values = query.get(ref.locationName ?? name);
        if (values !== undefined) input[name] = walker.fromText(ref, name, values);
        break;
      }
      case 'header': {
        const value = headers[(ref.locationName ?? name).toLowerCase()];
        if (value !== undefined) input[name] = walker.fromText(ref, name, value);
        break;
      }
    }
  }
  return input;
}
