import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
}

/** One HTTP request on loopback with full control over the headers (no automatic Origin). */
export function request(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; host?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    const req = httpRequest({ host: options.host ?? '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens `GET /events` and collects what arrives; `close()` ends it. */
export function openEventStream(port: number, headers: Record<string, string> = {}) {
  let text = '';
  let status = 0;
  let res: IncomingMessage | undefined;
  const waiters: Array<() => void> = [];
  const ready = new Promise<void>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/events', headers, agent: false }, (r) => {
      res = r;
      status = r.statusCode ?? 0;
      r.setEncoding('utf8');
      r.on('data', (c: string) => {
        text += c;
        for (const w of waiters.splice(0)) w();
      });
      r.on('end', () => {
        text += '<end>';
        for (const w of waiters.splice(0)) w();
      });
      resolve();
    });
    req.on('error', reject);
    req.end();
  });
  return {
    ready,
    get status() {
      return status;
    },
    get text() {
      return text;
    },
    /** Resolves once the received text contains `needle`. */
    async waitFor(needle: string, timeoutMs = 3000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(needle)} in ${JSON.stringify(text)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    close() {
      res?.destroy();
    },
  };
}
