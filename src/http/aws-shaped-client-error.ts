// Node answers unparseable requests and oversized headers itself, before our handler runs. We replace
// its bare responses with AWS-shaped ones so clients see a code and a message.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';

export function answerClientError(error: NodeJS.ErrnoException, socket: Socket) {
  if (!socket.writable) return socket.destroy();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const [status, reason, code, message] = tooLarge
    ? [431, 'Request Header Fields Too Large', 'RequestHeaderFieldsTooLarge', 'Request headers exceed the size this server accepts']
    : [400, 'Bad Request', 'BadRequestException', `Malformed HTTP request (${error.code ?? 'parse error'})`];
  const body = JSON.stringify({ __type: code, message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-amzn-RequestId: ${randomUUID()}\r\nx-amzn-ErrorType: ${code}:\r\nConnection: close\r\n\r\n${body}`,
  );
}
