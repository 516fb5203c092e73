import net from 'node:net';

/**
 * An HTTP/1.1 request written byte for byte on a fresh loopback socket: fetch and node:http
 * refuse or normalise exactly what a hostile caller sends (raw `%` or `..` segments, non-ASCII
 * paths, control characters in headers, a content-encoding that lies), so the fuzz writes its own.
 */
export interface RawRequest {
  method: string;
  /** Path and query exactly as sent; characters beyond ASCII go out as their UTF-8 bytes. */
  target: string;
  /** Header lines in order; duplicates are allowed; values go out as UTF-8 bytes. */
  headers: [string, string][];
  body?: Buffer;
}

export interface RawResponse {
  /** 0 when no status line came back. */
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Bytes received in all, status line and headers included. */
  bytes: number;
  /** Why there is no complete response: timeout, reset before any byte, over the size cap. */
  failure?: string;
  ms: number;
}

export interface RawOptions {
  timeoutMs: number;
  /** Stop reading (and report) once this many bytes have arrived. */
  maxBytes: number;
}

export function sendRaw(port: number, req: RawRequest, { timeoutMs, maxBytes }: RawOptions): Promise<RawResponse> {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (failure?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(chunks));
      resolve({ ...parsed, bytes: received, failure: failure ?? parsed.failure, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(`no complete response within ${timeoutMs} ms`), timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      if (received > maxBytes) finish(`response larger than ${maxBytes} bytes`);
      else if (eventStreamStarted(Buffer.concat(chunks))) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // A server that answers early (413) and closes while the body is still going out resets the
    // socket; what it answered before is the response.
    socket.on('error', (e: NodeJS.ErrnoException) => finish(received ? undefined : `connection failed before any response byte: ${e.code ?? e.message}`));
    const head = [`${req.method} ${req.target} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close', ...req.headers.map(([k, v]) => `${k}: ${v}`)];
    if (req.body !== undefined) head.push(`content-length: ${req.body.length}`);
    socket.write(Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'));
    if (req.body !== undefined && req.body.length) socket.write(req.body);
  });
}

/** An event stream (GET /live) never ends by itself: once its head and first frame are in, that is the response. */
function eventStreamStarted(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0 || !/\r\ncontent-type:[ \t]*text\/event-stream/i.test(raw.subarray(0, end).toString('latin1'))) return false;
  return parseResponse(raw).body.includes('\n\n');
}

function parseResponse(raw: Buffer): Omit<RawResponse, 'ms' | 'bytes'> {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: Buffer.alloc(0), failure: raw.length ? 'incomplete response head' : undefined };
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < b.length) {
    const eol = b.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
