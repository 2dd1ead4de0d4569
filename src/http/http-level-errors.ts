// Node's HTTP server answers some requests itself, before or instead of our handler: unparseable requests,
// oversized headers, timeouts, an Expect other than 100-continue, HTTP/1.1 without Host, CONNECT. Its answers
// are bare (a status line, no body). These are AWS-shaped instead, so every client sees a code and a message.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ServiceError } from '../protocol/errors.ts';
import { errorBody, writeError } from '../protocol/serialize.ts';
import { applyCors } from './cors.ts';

export interface ConnectionTimeouts {
  /** How long a client may take to send a request's headers. */
  headersTimeoutMs: number;
  /** How long a client may take to send a whole request, headers and body. */
  requestTimeoutMs: number;
}

/** Errors of a client that is gone (reset, or closed its side half-way through a request): nobody to answer. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'HPE_INVALID_EOF_STATE']);

export class HttpLevelErrors {
  private readonly timeouts: ConnectionTimeouts;
  /** The latest request on each connection whose headers have arrived, and its response. */
  private readonly latest = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();

  constructor(timeouts: ConnectionTimeouts) {
    this.timeouts = timeouts;
  }

  /** Node's own limits, set so that what they refuse is answered here. */
  serverOptions(): ServerOptions {
    return {
      headersTimeout: this.timeouts.headersTimeoutMs,
      requestTimeout: this.timeouts.requestTimeoutMs,
      // Node looks for expired connections only this often (30 s unless told): a timeout fires up to this late.
      connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(this.timeouts.headersTimeoutMs / 10))),
      // Answered by screen() instead of Node's bare 400.
      requireHostHeader: false,
    };
  }

  /** Takes over the answers Node would give bare. */
  attach(server: Server) {
    server.on('clientError', this.answerClientError);
    server.on('checkExpectation', this.answerExpectation);
    server.on('connect', this.answerConnect);
  }

  /**
   * First step for every request. Answers (and returns true for) an HTTP/1.1 request without Host, which
   * Node would refuse bare (the server is built with requireHostHeader: false for this).
   */
  screen(req: IncomingMessage, res: ServerResponse): boolean {
    this.latest.set(req.socket, { req, res });
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      res.setHeader('Connection', 'close');
      writeError(res, undefined, randomUUID(), new ServiceError('BadRequestException', 'HTTP/1.1 requests must carry a Host header', { status: 400 }));
      return true;
    }
    return false;
  }

  /** Any Expect but 100-continue (which Node answers itself). */
  private readonly answerExpectation = (req: IncomingMessage, res: ServerResponse) => {
    applyCors(req, res);
    res.setHeader('Connection', 'close');
    const expectation = String(req.headers.expect).slice(0, 100);
    writeError(res, undefined, randomUUID(), new ServiceError('ExpectationFailedException', `Expect: ${expectation} is not supported; only 100-continue is`, { status: 417 }));
  };

  /** No proxying here. */
  private readonly answerConnect = (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end(rawAnswer(new ServiceError('UnknownOperationException', 'CONNECT is not supported', { status: 405 })));
  };

  /**
   * Unparseable requests, oversized headers, timeouts, clients gone mid-request. The socket is destroyed with
   * the error answered, so a request whose body was being read learns what its client was told (read-body.ts).
   */
  private readonly answerClientError = (error: NodeJS.ErrnoException, socket: Socket) => {
    const latest = this.latest.get(socket);
    const answer = this.answerFor(error, latest && !latest.req.complete ? 'body' : 'headers');
    const responseUnderWay = latest !== undefined && latest.res.headersSent && !latest.res.writableFinished;
    // As Node does: write the answer unless a response has already begun, then close at once (a slow client
    // gets nothing more read from it; a small write leaves in full before the close).
    if (answer && socket.writable && !responseUnderWay) socket.write(rawAnswer(answer));
    socket.destroy(answer ?? error);
  };

  private answerFor(error: NodeJS.ErrnoException, phase: 'headers' | 'body'): ServiceError | undefined {
    if (error.code !== undefined && CLIENT_GONE.has(error.code)) return undefined;
    switch (error.code) {
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        return new ServiceError(
          'RequestTimeoutException',
          phase === 'headers'
            ? `The request headers did not arrive within ${this.timeouts.headersTimeoutMs} ms`
            : `The request did not arrive whole within ${this.timeouts.requestTimeoutMs} ms`,
          { status: 408 },
        );
      case 'HPE_HEADER_OVERFLOW':
        return new ServiceError('RequestHeaderFieldsTooLarge', 'Request headers exceed the size this server accepts', { status: 431 });
      case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
        return new ServiceError('RequestEntityTooLargeException', 'Chunk extensions exceed the size this server accepts', { status: 413 });
      default:
        return new ServiceError('BadRequestException', `Malformed HTTP request (${error.code ?? 'parse error'})`, { status: 400 });
    }
  }
}

/** A whole AWS-shaped HTTP/1.1 response, for a socket with no ServerResponse (or one Node has given up on). */
function rawAnswer(error: ServiceError): string {
  const status = error.status ?? 400;
  const body = errorBody(error);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nx-amzn-RequestId: ${randomUUID()}\r\nx-amzn-ErrorType: ${error.code}:\r\n` +
    `Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n${body}`
  );
}
