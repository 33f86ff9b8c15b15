import { request as httpRequest, type IncomingMessage } from 'node:http';

/**
 * A plain HTTP client for API tests over a real socket, with full control of the headers (a
 * browser's Origin and Sec-Fetch-Site, cookies, bearer tokens), unlike fetch, which adds its own.
 */
export interface HttpAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  json(): any;
  /** The session cookie the answer set, if any. */
  session(): string | undefined;
}

export function call(port: number, method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}): Promise<HttpAnswer> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...opts.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json: () => JSON.parse(text),
            session: () => [res.headers['set-cookie'] ?? []].flat().map((c) => /^hearth_session=([^;]+)/.exec(c)?.[1]).find((v) => v !== undefined && v !== ''),
          }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** An open /api/live stream: its status, and a promise that settles when the server ends it. */
export interface LiveStream {
  status: number;
  /** Resolves true when the server ended the stream, false if it was still open after `ms`. */
  endedWithin(ms: number): Promise<boolean>;
  close(): void;
}

export function openLive(port: number, headers: Record<string, string>): Promise<LiveStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path: '/api/live', headers }, (res) => {
      let ended = false;
      const done = new Promise<void>((r) => {
        res.on('end', () => r());
        res.on('close', () => r());
        res.on('error', () => r());
      }).then(() => void (ended = true));
      res.resume();
      resolve({
        status: res.statusCode ?? 0,
        endedWithin: (ms) => {
          if (ended) return Promise.resolve(true);
          let timer: NodeJS.Timeout;
          return Promise.race([done.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]).finally(() => clearTimeout(timer));
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
