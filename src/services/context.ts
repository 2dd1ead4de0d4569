import type { Principal } from '../auth/principal.ts';

/** What a handler knows about the request besides its typed input. Handlers never see HTTP. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  /** The region this server serves; pool and identity ids are minted in it. */
  region: string;
  now: Date;
}

// Inputs are validated against the model before a handler runs, so handlers may take them as typed.
// biome-ignore lint: handlers narrow `input` to their own typed shape.
export type OperationHandler = (input: any, context: RequestContext) => Promise<unknown>;

export type ServiceHandlers = Record<string, OperationHandler>;
