import { createServer, type Server, type Socket } from 'node:net';
import { encodeRdm6300 } from '../../drivers/tag-reader/rdm6300.js';
import { encodeM100Inventory } from '../../drivers/tag-reader/uhf-m100.js';
import type { Logger } from '../log/logger.js';

/**
 * A simulated tag reader served over TCP (a serial device server stand-in), sending frames the way
 * the real readers do: repeated every `repeatMs` while a tag is in the field. The demo scenario
 * `ebike-visit` shows a resident's tag at 4–7 s and an e-bike tag at 15–19 s of each cycle (60 s, or the demo's `cycleS`).
 */
export type TagSimProtocol = 'rdm6300' | 'ascii-line' | 'uhf-m100';

/** The demo's tags: one on a resident's key fob, one on a registered e-bike. */
export const DEMO_TAGS = { resident: '0800A1B2C3', ebike: '0EB1CE0001' } as const;

const VISITS = [
  { tag: DEMO_TAGS.resident, from: 4, to: 7 },
  { tag: DEMO_TAGS.ebike, from: 15, to: 19 },
];

export function tagsAt(tSeconds: number, cycleS = 60): string[] {
  const phase = tSeconds % cycleS;
  return VISITS.filter((v) => phase >= v.from && phase < v.to).map((v) => v.tag);
}

export function encodeFrame(protocol: TagSimProtocol, tag: string): Buffer {
  if (protocol === 'rdm6300') return encodeRdm6300(tag);
  if (protocol === 'uhf-m100') return encodeM100Inventory(tag.length % 4 === 0 ? tag : `${tag}00`);
  return Buffer.from(`TAG ${tag}\r\n`, 'latin1');
}

export interface TagReaderSimOptions {
  host: string;
  port: number;
  protocol: TagSimProtocol;
  /** Which tags are present at t seconds after start. Default: the `ebike-visit` scenario. */
  present?: (tSeconds: number) => string[];
  repeatMs?: number;
  logger?: Logger;
}

export class TagReaderSim {
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();
  private timer: NodeJS.Timeout | undefined;
  /** Tags forced present by tests, on top of the scenario. */
  readonly held = new Set<string>();

  constructor(private readonly o: TagReaderSimOptions) {}

  async start(): Promise<number> {
    const server = createServer((socket) => {
      this.clients.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this.clients.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    const t0 = performance.now();
    const present = this.o.present ?? tagsAt;
    this.timer = setInterval(() => {
      const tags = [...present((performance.now() - t0) / 1000), ...this.held];
      for (const tag of tags) this.send(encodeFrame(this.o.protocol, tag));
    }, this.o.repeatMs ?? 100);
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.o.port;
    this.o.logger?.info({ at: `${this.o.host}:${port}`, protocol: this.o.protocol }, 'demo: simulated tag reader listening');
    return port;
  }

  /** Raw bytes to every connected client (tests: noise, split frames). */
  send(bytes: Buffer): void {
    for (const c of this.clients) c.write(bytes);
  }

  get connections(): number {
    return this.clients.size;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.clients) c.destroy();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}
