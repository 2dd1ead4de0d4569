// The one HTTP client for every outbound call login verification makes (discovery documents, JWKS, Facebook's Graph
// API, Login with Amazon, Twitter). Each call has a deadline, a size limit and the endpoint override; a provider
// that cannot answer becomes ExternalServiceException with the cause logged. Calls are plain async I/O: a slow
// provider holds only the requests waiting for it.
import type { Logger } from 'pino';
import { providerUnavailable } from './login-errors.ts';
import { type ProviderEndpoints, resolveProviderUrl } from './provider-endpoints.ts';

/** No provider answer we read (a JWKS, a profile) comes near this; more is a broken or hostile endpoint. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface ProviderResponse {
  status: number;
  /** The parsed JSON body; undefined when the body is not JSON. */
  body: unknown;
}

export interface ProviderHttpOptions {
  endpoints: ProviderEndpoints;
  timeoutMs: number;
  logger: Logger;
}

export class ProviderHttp {
  private readonly options: ProviderHttpOptions;

  constructor(options: ProviderHttpOptions) {
    this.options = options;
  }

  /**
   * GET `url` as the provider publishes it (sent to the override base when `provider` has one). Answers with
   * any status below 500 are returned for the caller to judge (a 400 from Facebook means a bad token); no answer,
   * a 5xx, a redirect or an oversized body is the provider failing.
   */
  async get(provider: string, url: string, headers: Record<string, string> = {}): Promise<ProviderResponse> {
    const target = resolveProviderUrl(this.options.endpoints, provider, url);
    const fail = (cause: string): never => {
      // The query may carry a user's access token (Graph API, tokeninfo): only the path is logged.
      this.options.logger.warn({ provider, url: `${target.origin}${target.pathname}`, cause }, 'login provider call failed');
      throw providerUnavailable(provider);
    };
    let response: Response;
    try {
      response = await fetch(target, {
        headers: { accept: 'application/json', ...headers },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      return fail(err.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message));
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      return fail(`answered ${response.status} (a redirect, not followed)`);
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      return fail(`answered ${response.status}`);
    }
    let text: string;
    try {
      text = await readLimited(response, MAX_RESPONSE_BYTES);
    } catch (error) {
      return fail((error as Error).name === 'TimeoutError' ? `no complete answer within ${this.options.timeoutMs} ms` : (error as Error).message);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }

  /**
   * GET of a document the provider must serve as a JSON object with 200 (discovery, JWKS). `problem` names what
   * is wrong with its content, if anything; any failure is the provider failing.
   */
  async getDocument(
    provider: string,
    url: string,
    problem: (document: Record<string, unknown>) => string | undefined = () => undefined,
  ): Promise<Record<string, unknown>> {
    const { status, body } = await this.get(provider, url);
    let cause: string | undefined;
    if (status !== 200) cause = `answered ${status}`;
    else if (typeof body !== 'object' || body === null || Array.isArray(body)) cause = 'answered something other than a JSON object';
    else cause = problem(body as Record<string, unknown>);
    if (cause !== undefined) {
      const target = resolveProviderUrl(this.options.endpoints, provider, url);
      this.options.logger.warn({ provider, url: `${target.origin}${target.pathname}`, cause }, 'login provider call failed');
      throw providerUnavailable(provider);
    }
    return body as Record<string, unknown>;
  }
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body?.cancel();
    throw new Error(`answer of ${declared} bytes is over the ${limit}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > limit) throw new Error(`answer is over the ${limit}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
