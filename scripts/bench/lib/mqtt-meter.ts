import { connect, createServer, type Server, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

/** What the gateway's bytes on the wire were spent on. */
export type UplinkClass = 'status' | 'telemetry' | 'events' | 'session';

export interface MeterFigures {
  /** Gateway → broker bytes by class: whole MQTT packets (fixed header, variable header, payload). */
  up: Record<UplinkClass, number>;
  /** Broker → gateway bytes (PUBACKs, receipts, CONNACK, PINGRESP). */
  down: number;
  /** PUBLISH packets per class, gateway → broker. */
  publishes: Record<UplinkClass, number>;
  /** MQTT packets each way (for an estimate of TCP/IP and TLS overhead, which the meter does not see). */
  packets: { up: number; down: number };
  /** Size of the last PUBLISH packet per class (kept across reset()). */
  lastPublish: Record<UplinkClass, number>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a broker that parses the gateway's MQTT stream and adds up
 * every packet's full size (what a mobile operator bills, less TCP/IP overhead) by what it carries:
 * `status`, `telemetry` and `events` by the PUBLISH topic, `session` for the rest (CONNECT,
 * SUBSCRIBE, PINGREQ, PUBACKs of receipts, DISCONNECT).
 */
export class MqttMeter {
  readonly figures: MeterFigures = {
    up: { status: 0, telemetry: 0, events: 0, session: 0 },
    down: 0,
    publishes: { status: 0, telemetry: 0, events: 0, session: 0 },
    packets: { up: 0, down: 0 },
    lastPublish: { status: 0, telemetry: 0, events: 0, session: 0 },
  };
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `targetPort` may be a function: the broker's port is sometimes chosen after the meter's. */
  static async start(targetPort: number | (() => number)): Promise<MqttMeter> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('meter: no port');
    const meter = new MqttMeter(server, addr.port);
    server.on('connection', (client) => meter.accept(client, typeof targetPort === 'number' ? targetPort : targetPort()));
    return meter;
  }

  /** Clears the figures (e.g. after the start-up burst, to measure the steady state). */
  reset(): void {
    for (const k of Object.keys(this.figures.up) as UplinkClass[]) {
      this.figures.up[k] = 0;
      this.figures.publishes[k] = 0;
    }
    this.figures.down = 0;
    this.figures.packets = { up: 0, down: 0 };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    // The protocol version comes from the CONNECT packet, which the parser reads first.
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p: mqttPacket.Packet) => this.count(p));
    parser.on('error', () => undefined);
    const downParser = mqttPacket.parser({ protocolVersion: 4 });
    downParser.on('packet', () => void this.figures.packets.down++);
    downParser.on('error', () => undefined);
    client.on('data', (d: Buffer) => {
      parser.parse(d);
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      this.figures.down += d.length;
      downParser.parse(d);
      client.write(d);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  private count(p: mqttPacket.Packet): void {
    const remaining = p.length ?? 0;
    // Fixed header: one type byte and the remaining length as a variable byte integer.
    const size = 1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4) + remaining;
    const cls = p.cmd === 'publish' ? classOf(p.topic) : 'session';
    this.figures.up[cls] += size;
    this.figures.packets.up++;
    if (p.cmd === 'publish') {
      this.figures.publishes[cls]++;
      this.figures.lastPublish[cls] = size;
    }
  }
}

function classOf(topic: string): UplinkClass {
  if (topic.endsWith('/status')) return 'status';
  if (topic.includes('/telemetry')) return 'telemetry';
  if (topic.includes('/events/') || topic.endsWith('/ev')) return 'events';
  return 'session';
}
