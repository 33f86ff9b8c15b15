import { createTagDecoder, DEFAULT_BAUD } from '../../../drivers/tag-reader/index.js';
import type { DecoderStats, TagDecoder } from '../../../drivers/tag-reader/decoder.js';
import type { TagReaderConfig } from '../../config/io-types.js';
import { parseHostPort, SerialByteStream, TcpByteStream, type ByteStream, type ByteStreamStats, type StreamState } from '../../bus/links/byte-stream.js';
import type { FaultReporter } from '../../faults/gateway-faults.js';
import type { Logger } from '../../log/logger.js';
import type { GatewayEvent } from '../../model/event.js';
import type { EventSink } from '../../model/sinks.js';
import { buildEvent, formatDuration, type EventFacts, type EventStamp } from '../../model/event-factory.js';
import type { TagLists } from './access.js';
import { PresenceTracker, type PresenceChange } from './presence.js';

/**
 * One tag reader at run time: bytes → decoder → presence → events into the pipeline's sink
 * (outbox, uplink, local actions). `tag_arrived` once per presence, `tag_left` when it has gone
 * (pointing back at its arrival). A tag on the reader's deny list (or off its allow list) also
 * raises an `alarm`, restored when the tag leaves: "e-bike at the elevator" is an alarm with a place.
 * A source (serial port, TCP serial server) that cannot be opened or closes is a fault of the
 * reader (`tags:<id>`, point `port`), cleared when it opens again or data flows; the stream keeps
 * reconnecting meanwhile.
 */

export interface TagReaderOptions extends EventStamp {
  cfg: TagReaderConfig;
  lists: TagLists;
  sink: EventSink;
  logger: Logger;
  faults: FaultReporter;
  /** Defaults to a serial port or TCP stream from the config. */
  stream?: ByteStream;
  /** How often absences are checked. Default absenceMs / 4, at most 250 ms. */
  tickMs?: number;
  onError?: (error: unknown, deviceId: string) => void;
}

export interface TagReaderSnapshot {
  id: string;
  present: string[];
  arrivals: number;
  alarms: number;
  decoder: DecoderStats;
  stream?: ByteStreamStats;
}

interface Presence {
  arrival: GatewayEvent;
  alarm?: GatewayEvent;
}

export class TagReaderRuntime {
  private readonly decoder: TagDecoder;
  private readonly presence: PresenceTracker;
  private readonly stream: ByteStream | undefined;
  private readonly open = new Map<string, Presence>();
  private timer: NodeJS.Timeout | undefined;
  private arrivals = 0;
  private alarms = 0;
  private sourceDown = false;

  constructor(private readonly o: TagReaderOptions) {
    this.decoder = createTagDecoder(o.cfg.protocol, o.cfg.pattern);
    this.presence = new PresenceTracker({ dwellMs: o.cfg.dwellMs, absenceMs: o.cfg.absenceMs });
    this.stream = o.stream ?? defaultStream(o.cfg, o.logger);
  }

  get id(): string {
    return this.o.cfg.id;
  }

  start(): void {
    this.stream?.start(
      (chunk) => this.bytes(chunk),
      (state) => this.sourceState(state),
    );
    const every = this.o.tickMs ?? Math.min(250, Math.max(10, Math.floor(this.o.cfg.absenceMs / 4)));
    this.timer = setInterval(() => this.tick(), every);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.stream?.stop();
  }

  /** Bytes from the reader (the stream calls this; tests and benchmarks may too). */
  bytes(chunk: Buffer): void {
    if (this.sourceDown) this.sourceState({ up: true });
    const mono = this.o.clock.mono();
    for (const tag of this.decoder.push(chunk)) {
      const change = this.presence.observe(tag, mono);
      if (change) this.apply(change);
    }
  }

  /** Ends presences that timed out. Called by the interval; tests call it with a manual clock. */
  tick(): void {
    for (const change of this.presence.tick(this.o.clock.mono())) this.apply(change);
  }

  snapshot(): TagReaderSnapshot {
    const s: TagReaderSnapshot = { id: this.id, present: this.presence.present(), arrivals: this.arrivals, alarms: this.alarms, decoder: this.decoder.stats() };
    if (this.stream) s.stream = this.stream.stats();
    return s;
  }

  private sourceState(state: StreamState): void {
    const { cfg, faults, logger } = this.o;
    const key = `tags:${cfg.id}`;
    const source = cfg.tcp !== undefined ? `tcp://${cfg.tcp}` : (cfg.port ?? 'stream');
    if (state.up) {
      if (!this.sourceDown) return;
      this.sourceDown = false;
      faults.clear(key, `tag reader ${cfg.id} (${source}) reading again`);
      return;
    }
    if (this.sourceDown) return;
    this.sourceDown = true;
    const message = `tag reader ${cfg.id} (${source}) not reading: ${state.error ?? 'closed'}`;
    logger.error({ reader: cfg.id, source, err: state.error }, message);
    faults.raise(key, message, { deviceId: cfg.id, point: 'port', location: cfg.location });
  }

  private apply(change: PresenceChange): void {
    const { cfg, lists } = this.o;
    const where = cfg.name ?? cfg.id;
    if (change.type === 'arrived') {
      this.arrivals += 1;
      const verdict = lists.verdict(change.tag, cfg);
      const groups = verdict.groups.length > 0 ? ` (${verdict.groups.join(', ')})` : '';
      const p: Presence = {
        arrival: this.event({ kind: 'tag_arrived', severity: verdict.kind === 'ok' ? 'info' : cfg.alarmSeverity, point: 'tag', value: change.tag, message: `tag ${change.tag}${groups} at ${where}` }),
      };
      if (verdict.kind !== 'ok') {
        this.alarms += 1;
        const why = verdict.kind === 'denied' ? `denied (${verdict.via})` : 'not on the allow list';
        p.alarm = this.event({ kind: 'alarm', severity: cfg.alarmSeverity, point: 'tag', value: change.tag, message: `tag ${change.tag}${groups} ${why} at ${where}` });
      }
      this.open.set(change.tag, p);
      this.deliver(p.alarm ? [p.arrival, p.alarm] : [p.arrival]);
      return;
    }
    const p = this.open.get(change.tag);
    this.open.delete(change.tag);
    const left: EventFacts = { kind: 'tag_left', severity: 'info', point: 'tag', value: change.tag, message: `tag ${change.tag} left ${where} after ${formatDuration(change.presentMs)}` };
    if (p) left.restores = p.arrival.id;
    const events = [this.event(left)];
    if (p?.alarm) {
      events.push(this.event({ kind: 'restore', severity: p.alarm.severity, point: 'tag', value: change.tag, restores: p.alarm.id, message: `tag ${change.tag} gone from ${where}: alarm ended` }));
    }
    this.deliver(events);
  }

  private event(facts: EventFacts): GatewayEvent {
    return buildEvent(this.o, { id: this.o.cfg.id, location: this.o.cfg.location }, facts);
  }

  /** One tag change's events (an arrival and its alarm): stored together, in one commit, where the sink can. */
  private deliver(events: GatewayEvent[]): void {
    const sink = this.o.sink;
    if (events.length > 1 && sink.eventBatch !== undefined) {
      try {
        sink.eventBatch(events);
      } catch (err) {
        this.o.onError?.(err, this.id);
      }
      return;
    }
    for (const e of events) {
      try {
        sink.event(e);
      } catch (err) {
        this.o.onError?.(err, this.id);
      }
    }
  }
}

function defaultStream(cfg: TagReaderConfig, logger: Logger): ByteStream | undefined {
  const log = logger.child({ reader: cfg.id });
  if (cfg.tcp !== undefined) {
    const { host, port } = parseHostPort(cfg.tcp);
    return new TcpByteStream(host, port, { logger: log });
  }
  if (cfg.port !== undefined) return new SerialByteStream(cfg.port, cfg.baudRate ?? DEFAULT_BAUD[cfg.protocol], { logger: log });
  return undefined;
}
