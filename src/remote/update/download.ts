import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { HearthError } from '../../errors.js';

export interface DownloadOptions {
  url: string;
  /** The file to write (replaced). */
  file: string;
  /** Exactly this many bytes are expected; more is refused while downloading. */
  size: number;
  /** Whole download, connect to last byte. */
  timeoutMs: number;
}

/**
 * Fetches a bundle into `file` and returns its SHA-256 (hex). One GET, no redirects (a signed URL
 * names the file; a redirect would fetch something it does not name), no resume: a bundle is tens
 * of MB and a failed download is simply asked for again. Stops as soon as the body outgrows the
 * signed size. Throws HearthError UPDATE_DOWNLOAD (with the reason) or UPDATE_SIZE; a partial file
 * is removed.
 */
export async function download(o: DownloadOptions): Promise<string> {
  try {
    return await fetchTo(o);
  } catch (err) {
    await rm(o.file, { force: true }).catch(() => undefined);
    if (err instanceof HearthError) throw err;
    throw new HearthError('UPDATE_DOWNLOAD', `download of ${o.url} failed: ${(err as Error).message}`, { cause: err });
  }
}

function fetchTo(o: DownloadOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const get = o.url.startsWith('https:') ? httpsGet : httpGet;
    const hash = createHash('sha256');
    let received = 0;
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new HearthError('UPDATE_DOWNLOAD', `download of ${o.url} did not finish within ${Math.round(o.timeoutMs / 1000)} s`)), o.timeoutMs);
    const req = get(o.url, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(new HearthError('UPDATE_DOWNLOAD', `download of ${o.url}: HTTP ${res.statusCode ?? '?'}`));
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.size) {
        res.resume();
        fail(new HearthError('UPDATE_SIZE', `${o.url} is ${declared} bytes, the signed size is ${o.size}`));
        return;
      }
      const out = createWriteStream(o.file, { mode: 0o640 });
      out.on('error', (err) => fail(err));
      res.on('error', (err) => fail(err));
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > o.size) {
          out.destroy();
          fail(new HearthError('UPDATE_SIZE', `${o.url} is larger than the signed size ${o.size}`));
          return;
        }
        hash.update(chunk);
        if (!out.write(chunk)) {
          res.pause();
          out.once('drain', () => res.resume());
        }
      });
      res.on('end', () => {
        if (settled) return;
        if (received !== o.size) {
          out.destroy();
          fail(new HearthError('UPDATE_SIZE', `${o.url} is ${received} bytes, the signed size is ${o.size}`));
          return;
        }
        out.end(() => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(hash.digest('hex'));
        });
      });
    });
    req.on('error', (err) => fail(err));
  });
}
