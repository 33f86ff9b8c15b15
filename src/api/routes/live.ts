import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayFacade, LiveMessage } from '../gateway-facade.js';
import { authErrors } from '../schemas.js';

const HEARTBEAT_MS = 15_000;
/** Readings are many; a console needs the latest per point, a few times a second at most. */
const READING_FLUSH_MS = 500;
/** A client that does not read is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1_000_000;

/**
 * GET /api/live: Server-Sent Events. One `event:` per message type (reading, event, alarm, scan,
 * test-alarm), data is the JSON message. EventSource reconnects by itself; the console re-reads
 * the full state on (re)connect, so nothing is replayed here. Each stream is handed to `track`
 * with its end function: the auth ends it the moment its caller's session or token stops counting.
 */
export interface LiveRoutesOptions {
  gateway: GatewayFacade;
  onClose: (fn: () => void) => void;
  /** Registers an open stream; returns the function that forgets it. */
  track: (req: FastifyRequest, end: () => void) => () => void;
}

export async function liveRoutes(app: FastifyInstance, opts: LiveRoutesOptions): Promise<void> {
  const open = new Set<() => void>();
  opts.onClose(() => {
    for (const end of open) end();
  });
  app.get(
    '/api/live',
    { config: { role: 'viewer' }, schema: { summary: 'Live readings, events, alarms and scan progress (text/event-stream)', response: { 200: { type: 'string' }, ...authErrors } } },
    (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const write = (m: LiveMessage): void => {
        if (res.writableLength > MAX_BUFFERED_BYTES) return end();
        res.write(`event: ${m.type}\ndata: ${JSON.stringify(m)}\n\n`);
      };
      // Latest reading per device and point, sent in bursts; events and alarms go out at once.
      const readings = new Map<string, LiveMessage>();
      const send = (m: LiveMessage): void => {
        if (m.type === 'reading') readings.set(`${m.reading.deviceId}\u0000${m.reading.point}`, m);
        else write(m);
      };
      const flush = setInterval(() => {
        for (const m of readings.values()) write(m);
        readings.clear();
      }, READING_FLUSH_MS);
      const unsubscribe = opts.gateway.subscribe(send);
      const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      let untrack = (): void => {};
      const end = (): void => {
        untrack();
        clearInterval(flush);
        clearInterval(beat);
        unsubscribe();
        open.delete(end);
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      untrack = opts.track(req, end);
      req.raw.once('close', end);
    },
  );
}
