import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../protocol/errors.ts';

const tooLarge = (limit: number) =>
  new ServiceError('RequestEntityTooLargeException', `Request body exceeds the ${limit}-byte limit of this server`, { status: 413 });

/**
 * Status for a request whose client went away before sending its whole body (nginx's 499): not a server
 * error, so it is neither logged as one nor counted as a 5xx. Nobody is left to read the answer.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * Why the body stopped arriving. If the connection was cut by the server's own answer (a timeout, a malformed
 * chunk: see http-level-errors.ts), the socket was destroyed with that answer, and the request reports it;
 * otherwise the client left.
 */
function bodyCutShort(req: IncomingMessage): ServiceError {
  const cause = req.socket?.errored;
  if (cause instanceof ServiceError) return cause;
  return new ServiceError('ClientClosedRequest', 'The client closed the connection before sending the whole request body', { status: CLIENT_CLOSED_REQUEST });
}

/** Collects the request body, refusing it as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  if (req.destroyed) return Promise.reject(bodyCutShort(req));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', () => reject(bodyCutShort(req)));
  });
}
