// What the server serves that botocore's models lack, each with the reason, in botocore's own form. The
// generator merges these into the model before reading it, so the model data, the generated types and the
// handlers keep saying the same thing.
import type { BotocoreMember, BotocoreModel, BotocoreShape } from './botocore.ts';

export interface ModelAdditions {
  /** Members of structures: shape name → member name → member. */
  members?: Record<string, Record<string, BotocoreMember>>;
  /** Whole shapes (exceptions the API reference names). */
  shapes?: Record<string, BotocoreShape>;
  /** Errors an operation answers beyond the model's list: operation → error shape names. */
  errors?: Record<string, string[]>;
}

const clientException = (httpStatusCode: number): BotocoreShape => ({
  type: 'structure',
  members: { message: { shape: 'ExceptionMessage' } },
  exception: true,
  error: { httpStatusCode },
});

export const MODEL_ADDITIONS: Record<string, ModelAdditions> = {
  'cognito-sync': {
    members: {
      // The API reference documents CognitoStreams.DisabledReason, "the reason why streaming of updates to the
      // identity pool was disabled", which GetIdentityPoolConfiguration answers once streaming turned itself off
      // (the stream or role stopped working).
      CognitoStreams: { DisabledReason: { shape: 'String' } },
    },
    shapes: {
      // The API reference and the developer guide name it for UpdateRecords: the sync trigger did not answer
      // within 5 seconds (HTTP 400).
      LambdaSocketTimeoutException: clientException(400),
    },
    errors: {
      UpdateRecords: ['LambdaSocketTimeoutException'],
      // The model lists no ResourceNotFoundException for these, but an unknown pool or identity is one, as it
      // is for every other operation on a pool or identity (reference: "Unknown pool: 404").
      ListRecords: ['ResourceNotFoundException'],
      ListDatasets: ['ResourceNotFoundException'],
    },
  },
};

/** The model with the additions for `service` merged in; an addition the model already has is an error (drop it). */
export function withAdditions(service: string, model: BotocoreModel): BotocoreModel {
  const additions = MODEL_ADDITIONS[service] ?? {};
  const shapes = structuredClone(model.shapes);
  const operations = structuredClone(model.operations);
  for (const [shapeName, members] of Object.entries(additions.members ?? {})) {
    const shape = shapes[shapeName];
    if (!shape?.members) throw new Error(`${service}: addition to ${shapeName}, which is not a structure of the model`);
    for (const [member, ref] of Object.entries(members)) {
      if (shape.members[member]) throw new Error(`${service}: the model now has ${shapeName}.${member}; drop the addition`);
      shape.members[member] = ref;
    }
  }
  for (const [shapeName, shape] of Object.entries(additions.shapes ?? {})) {
    if (shapes[shapeName]) throw new Error(`${service}: the model now has the shape ${shapeName}; drop the addition`);
    shapes[shapeName] = shape;
  }
  for (const [operation, errors] of Object.entries(additions.errors ?? {})) {
    const op = operations[operation];
    if (!op) throw new Error(`${service}: errors added to ${operation}, which the model does not have`);
    for (const error of errors) {
      if (!shapes[error]?.exception) throw new Error(`${service}: ${error}, added to ${operation}, is not an exception shape`);
      if (op.errors?.some((e) => e.shape === error)) throw new Error(`${service}: the model now lists ${error} for ${operation}; drop the addition`);
      op.errors = [...(op.errors ?? []), { shape: error }];
    }
  }
  return { ...model, shapes, operations };
}
