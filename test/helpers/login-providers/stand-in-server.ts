// The HTTP side shared by the login provider stand-ins: one server on 127.0.0.1, a route table, a count of
// requests per path, and an outage switch (the provider answering 503, or holding every request unanswered).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Outage = 'none' | 'failing' | 'silent';

export interface StandInRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export interface StandInAnswer {
  status: number;
  body: unknown;
}

export abstract class StandInServer {
  url = '';
  outage: Outage = 'none';
  private server: Server | undefined;
  private readonly hits = new Map<string, number>();
  private readonly held = new Set<ServerResponse>();

  protected abstract answer(request: StandInRequest): StandInAnswer | Promise<StandInAnswer>;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Requests that reached `path` so far. */
  requestsTo(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  /** Requests being held unanswered (outage 'silent'). */
  get heldRequests(): number {
    return this.held.size;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    this.hits.set(url.pathname, (this.hits.get(url.pathname) ?? 0) + 1);
    if (this.outage === 'silent') {
      this.held.add(res);
      res.once('close', () => this.held.delete(res));
      return;
    }
    if (this.outage === 'failing') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    try {
      const { status, body } = await this.answer({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end((error as Error).message);
    }
  }
}
