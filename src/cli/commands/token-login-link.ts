import { networkInterfaces } from 'node:os';
import type { HearthConfig } from '../../config/types.js';

/**
 * The address a phone on the site's network reaches the console at: the API's own address when it
 * listens on one, else the gateway's first non-loopback IPv4 address (`--host` overrides both).
 */
export function consoleBaseUrl(config: HearthConfig, hostOverride?: string): string {
  const api = config.api;
  const scheme = api?.tls?.cert !== undefined ? 'https' : 'http';
  const port = api?.port ?? 8080;
  let host = hostOverride ?? api?.host ?? '0.0.0.0';
  if (hostOverride === undefined && (host === '0.0.0.0' || host === '::')) host = siteAddress() ?? '127.0.0.1';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `${scheme}://${host}:${port}/`;
}

function siteAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** The link a phone opens: the code rides in the fragment, which browsers never send to a server or a log. */
export function loginLink(base: string, code: string): string {
  return `${base}#login=${code}`;
}
