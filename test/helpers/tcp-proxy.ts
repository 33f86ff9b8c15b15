import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (the broker), for cutting a connection at a
 * moment the test chooses, mid-publish: `cut()` destroys every live connection abruptly (no FIN
 * handshake on the MQTT level, no DISCONNECT: what a dropped mobile link looks like to both ends);
 * `pause()` holds new and existing traffic (bytes are buffered, nothing is lost or delivered),
 * `resume()` lets it flow again; `refuse(true)` turns new connections away at once.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private paused = false;
  private refusing = false;
  /** Connections accepted and connections cut, for assertions. */
  accepted = 0;
  cuts = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('proxy: no port');
    const proxy = new TcpProxy(server, addr.port);
    server.on('connection', (client) => proxy.accept(client, targetPort, targetHost));
    return proxy;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Live proxied connections. */
  connections(): number {
    return this.pairs.size;
  }

  /** Destroys every live connection at once, both sides. Returns how many. */
  cut(): number {
    const n = this.pairs.size;
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    this.cuts += n;
    return n;
  }

  /** Holds all traffic in both directions (kernel and stream buffers keep it) until resume(). */
  pause(): void {
    this.paused = true;
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  resume(): void {
    this.paused = false;
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream.resume();
    }
  }

  /** While true, new connections are closed as soon as they are accepted. */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, port: number, host: string): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = connect(port, host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = (): void => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.paused) {
      client.pause();
      upstream.pause();
    }
  }
}
