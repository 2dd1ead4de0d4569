import type { Principal } from '../auth/principal.ts';
import type { CognitoIdentityHandlers as CognitoIdentityProvider } from '../model/cognito-identity-types.ts';
import type { CognitoSyncHandlers as CognitoSyncProvider } from '../model/cognito-sync-types.ts';
import type { StsHandlers as StsProvider } from '../model/sts-types.ts';

/** What a handler knows about the request besides its typed input. Handlers never see HTTP. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  /** The region this server serves; pool and identity ids are minted in it. */
  region: string;
  now: Date;
}

/** Every Cognito Sync operation's handler, typed by the model (src/model/cognito-sync-types.ts). */
export type CognitoSyncHandlers = CognitoSyncProvider<RequestContext>;
/** Every Cognito Identity operation's handler, typed by the model (src/model/cognito-identity-types.ts). */
export type CognitoIdentityHandlers = CognitoIdentityProvider<RequestContext>;

/** STS operations' handlers, typed by the model (src/model/sts-types.ts). */
export type StsHandlers = StsProvider<RequestContext>;

/** An input the pipeline has parsed and checked against the operation's input shape. */
export type ValidatedInput = Record<string, unknown>;

/** How the pipeline calls an operation it found by name. */
export type OperationHandler = (input: ValidatedInput, context: RequestContext) => Promise<object | void>;

/** One service's handlers by operation name, as the pipeline looks them up. */
export type ServiceHandlers = Readonly<Record<string, OperationHandler>>;

type TypedHandler = (input: never, context: RequestContext) => Promise<object | void>;

/**
 * A service's typed handlers as the pipeline's lookup table. This is the one place a validated input meets
 * its typed handler: the pipeline checked it against the operation's input shape, and the generated input
 * type states that same shape, so handing it over as that type holds.
 */
export function handlersByName<Handlers extends { [Operation in keyof Handlers]: TypedHandler }>(handlers: Handlers): ServiceHandlers {
  const table: Record<string, OperationHandler> = {};
  for (const operation of Object.keys(handlers) as Array<keyof Handlers & string>) {
    const handler: TypedHandler = handlers[operation];
    table[operation] = (input, context) => handler(input as never, context);
  }
  return table;
}
