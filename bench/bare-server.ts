// The ceiling: a bare node:http server that answers every request with the same bytes our server
// sends for the operation being measured. argv: port, JSON { status, headers, body }.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const { status, headers, body } = JSON.parse(process.argv[3]!) as { status: number; headers: Record<string, string>; body: string };
const payload = Buffer.from(body);

const server = createServer((req, res) => {
  // Drain the request like a real server must before answering on a kept-alive connection.
  req.resume();
  res.writeHead(status, headers);
  res.end(payload);
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
