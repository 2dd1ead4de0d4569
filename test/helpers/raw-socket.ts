// Talks to the server over a bare TCP socket, for what no HTTP client sends: no Host header, an unknown Expect,
// a request that stops half-way, a CONNECT. Bounded: a server that neither answers nor closes fails the test.
import { connect, type Socket } from 'node:net';

export interface SocketAnswer {
  /** Everything the server sent before closing (or before `waitMs` ran out). */
  raw: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  json(): Record<string, unknown>;
  /** True when the server closed the connection. */
  closed: boolean;
}

/** Opens a connection to the server at `baseUrl`; `write` sends bytes, `answer` waits for the server to close. */
export async function openSocket(baseUrl: string): Promise<{ socket: Socket; write(bytes: string | Buffer): void; answer(waitMs?: number): Promise<SocketAnswer> }> {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {}); // a reset after the answer is the server's right; `closed` says what happened
  const closedOrEnded = new Promise<void>((resolve) => {
    socket.once('close', () => {
      closed = true;
      resolve();
    });
    socket.once('end', () => {
      closed = true;
      resolve();
    });
  });
  return {
    socket,
    write: (bytes) => socket.write(bytes),
    async answer(waitMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closedOrEnded, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
      socket.destroy();
      return parseAnswer(Buffer.concat(chunks).toString('utf8'), closed);
    },
  };
}

/** Sends `request` as is and waits for the answer. */
export async function exchange(baseUrl: string, request: string | Buffer, waitMs?: number): Promise<SocketAnswer> {
  const connection = await openSocket(baseUrl);
  connection.write(request);
  return connection.answer(waitMs);
}

function parseAnswer(raw: string, closed: boolean): SocketAnswer {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = headerEnd === -1 ? raw : raw.slice(0, headerEnd);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = headerEnd === -1 ? '' : raw.slice(headerEnd + 4);
  const length = Number(headers['content-length']);
  const body = Number.isFinite(length) ? Buffer.from(rest).subarray(0, length).toString('utf8') : rest;
  return { raw, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, json: () => JSON.parse(body), closed };
}
