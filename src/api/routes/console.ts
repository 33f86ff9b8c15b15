import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

/**
 * The web console: a handful of hand-written static files in web/, read and gzipped once at start
 * and served from memory (a Pi's SD card is slow; the files are small). No authentication on the
 * files themselves: they hold no data, and the login page is one of them. Strict CSP: scripts and
 * styles only from the gateway itself.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

export interface StaticFile {
  name: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

export function loadConsoleFiles(webRoot: string): StaticFile[] {
  return readdirSync(webRoot)
    .filter((name) => TYPES[extname(name)] !== undefined)
    .map((name) => {
      const body = readFileSync(join(webRoot, name));
      return { name, type: TYPES[extname(name)]!, body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
    });
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export async function consoleRoutes(app: FastifyInstance, opts: { webRoot: string }): Promise<void> {
  for (const file of loadConsoleFiles(opts.webRoot)) {
    const url = file.name === 'index.html' ? '/' : `/${file.name}`;
    app.get(url, { config: { role: 'public' }, schema: { hide: true, response: { 200: { type: 'string' }, 304: { type: 'null' } } } }, async (req, reply) => {
      void reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache', etag: file.etag, vary: 'accept-encoding' });
      if (req.headers['if-none-match'] === file.etag) return reply.status(304).send();
      void reply.type(file.type);
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(file.gzip);
      return reply.send(file.body);
    });
  }
}
