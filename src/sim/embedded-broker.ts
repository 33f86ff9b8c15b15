import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { confirmEvents, type ReceiptSigner } from './receiving-centre.js';

/**
 * The demo's stand-in for the city platform: an in-process MQTT broker (aedes) on localhost.
 * Only started when the config has no real platform, so anyone can watch the gateway with
 * `mosquitto_sub -h localhost -t '#' -v`. Bound to loopback: it has no authentication.
 */
export class EmbeddedBroker {
  private broker?: Aedes;
  private server?: Server;

  private stopConfirming: (() => void) | undefined;

  constructor(
    private readonly port: number,
    private readonly host = '127.0.0.1',
    /** Confirm events on the ack topic under this prefix, as a receiving centre would (receiving-centre.ts). */
    private readonly confirmUnder?: string,
    /** Signs the confirmations, as a platform must for the native codec (docs/uplink-native.md). */
    private readonly signer?: ReceiptSigner,
  ) {}

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, this.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      // The broker's timers would keep the process alive after a failed start (port in use).
      await new Promise<void>((r) => broker.close(() => r()));
      throw err;
    }
    this.broker = broker;
    this.server = server;
    if (this.confirmUnder !== undefined) this.stopConfirming = confirmEvents(broker, this.confirmUnder, this.signer);
  }

  url(): string {
    return `mqtt://${this.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    this.stopConfirming?.();
    const { server, broker } = this;
    this.server = undefined;
    this.broker = undefined;
    // The broker first: it disconnects its clients, without which server.close() would wait forever.
    if (broker) await new Promise<void>((r) => broker.close(() => r()));
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
