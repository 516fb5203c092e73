import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { logger as defaultLogger, type Logger } from './log';

/**
 * The HTTP server of the API, for `npm start` and the tests alike. Requests Node refuses
 * before Express sees them (headers over 16 KiB, malformed HTTP, a request that never
 * finishes) are answered as problem+json too, not with Node's bare status line.
 */
export function listen(app: RequestListener, port: number, host: string, log: Logger = defaultLogger): Promise<Server> {
  const server = createServer(app);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, log));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

const REFUSALS: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', detail: 'the request line and headers exceed 16 KiB' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', detail: 'the request was not received in time' },
};
const MALFORMED = { status: 400, code: 'BAD_REQUEST', detail: 'the request is not valid HTTP/1.1' };

/** Answers once if nothing was written yet, then closes; never throws, whatever state the socket is in. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }, log: Logger): void {
  try {
    if (err.code !== 'ECONNRESET' && socket.writable && !socket.bytesWritten) {
      const refusal = REFUSALS[err.code ?? ''] ?? MALFORMED;
      const title = STATUS_CODES[refusal.status]!;
      const body = JSON.stringify({ type: 'about:blank', title, status: refusal.status, detail: refusal.detail, code: refusal.code });
      const id = randomUUID();
      socket.write(
        `HTTP/1.1 ${refusal.status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Cache-Control: no-store\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
      );
      log.info({ req: { id }, res: { statusCode: refusal.status }, code: refusal.code, reason: err.code }, 'request refused before routing');
    }
  } catch {
    // The socket went away while we answered: there is no one left to tell.
  } finally {
    socket.destroy();
  }
}
