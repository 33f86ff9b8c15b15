import type { FastifyRequest } from 'fastify';

/**
 * Cross-site request forgery guard for requests authenticated by the session cookie (ambient
 * credentials a browser attaches by itself). SameSite=Strict already keeps the cookie off
 * cross-site requests in current browsers; this is the second lock, from the headers every
 * current browser sends on a state change:
 *
 * - `Sec-Fetch-Site`, when present, must be `same-origin` (the console's own fetch) or `none`
 *   (typed by the user);
 * - `Origin`, when present, must be this gateway as the browser reached it: the scheme (https
 *   when TLS is on), the Host header, default ports folded as browsers do;
 * - neither header on a cookie-authenticated state change: refused (no browser sends neither).
 *
 * Returns why the request is refused, or undefined when it may go on. Bearer-token requests are
 * not checked: a token in a header is never sent by a browser on its own.
 */
export function crossOriginReason(req: FastifyRequest, required: boolean): string | undefined {
  const site = header(req, 'sec-fetch-site');
  const origin = header(req, 'origin');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is '${site}'`;
  if (origin !== undefined) {
    const own = ownOrigin(req);
    if (own === undefined || normalized(origin) !== own) return `Origin ${origin} is not this gateway`;
  }
  if (required && site === undefined && origin === undefined) return 'neither Origin nor Sec-Fetch-Site was sent';
  return undefined;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function ownOrigin(req: FastifyRequest): string | undefined {
  const host = req.headers.host;
  if (host === undefined) return undefined;
  return normalized(`${req.protocol}://${host}`);
}

/** scheme://host[:port], lower case, default port dropped; undefined when it is no origin at all ("null"). */
function normalized(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}
