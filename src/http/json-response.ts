import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Answers a small JSON document (the operational endpoints; AWS operations go through protocol/serialize.ts). */
export function writeJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
