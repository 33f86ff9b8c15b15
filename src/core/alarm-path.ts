import { AlarmDesk } from '../alarms/desk.js';
import type { RuleCommandRunner } from '../alarms/local-actions.js';
import { latchFile } from '../alarms/latch-file.js';
import type { OutputRegistry } from '../outputs/driven-outputs.js';
import type { Clock } from '../clock/clock.js';
import type { HearthConfig } from '../config/types.js';
import { destinationRoutes } from './destinations.js';
import { createGatewayBus, type GatewayBus } from './gateway-bus.js';
import { GatewayFaults } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import { ResilientOutbox } from '../outbox/resilient-outbox.js';
import { PipelineSink } from './pipeline-sink.js';
import { RulesEngine } from '../rules/engine.js';
import { TurnBatch } from './turn-batch.js';

/**
 * The parts every event passes, wired once (docs/alarm-path.md): rules → sink → alarm desk first
 * (local outputs in the same turn), then the resilient outbox, then observers on the event bus.
 * Faults of the gateway's own parts and the outbox's own notices enter through the same sink.
 * They refer to each other through late-bound arrows only where the cycle is real (a fault event
 * needs a sequence number from the store, the store reports faults).
 */
export class AlarmPath {
  readonly bus: GatewayBus;
  readonly faults: GatewayFaults;
  readonly store: ResilientOutbox;
  readonly desk: AlarmDesk;
  readonly sink: PipelineSink;
  /** The field's way in (rules, sources): the desk acts at once, the store takes the turn's work after it. */
  readonly turn: TurnBatch;
  readonly rules: RulesEngine;
  readonly latches: ReturnType<typeof latchFile>;

  constructor(config: HearthConfig, clock: Clock, logger: Logger, outputs: () => OutputRegistry | undefined, ruleCommands?: RuleCommandRunner) {
    const gatewayId = config.gateway.id;
    this.bus = createGatewayBus(logger.child({ component: 'bus' }));
    // Held until the outbox is open (open() below): state files read while the daemon is assembled
    // report faults that need a sequence number.
    this.faults = new GatewayFaults({
      gatewayId,
      clock,
      seq: { next: () => this.store.next() },
      location: config.gateway.location,
      sink: { event: (e) => this.sink.event(e) },
      onError: (err) => logger.error({ err }, 'gateway fault could not be raised'),
      held: true,
    });
    const o = config.outbox;
    this.store = new ResilientOutbox({
      outbox: {
        path: o.path,
        flushIntervalMs: o.flushIntervalMs,
        writeBehindMs: o.writeBehindMs,
        maxBufferedReadings: o.writeBehindMs > 0 ? o.writeBehindMaxReadings : undefined,
        quotaMb: o.quotaMb,
        minFreeMb: o.minFreeMb,
        reserveMb: o.reserveMb,
        gatewayId,
        destinations: destinationRoutes(config),
      },
      clock,
      gatewayId,
      stateDir: config.gateway.stateDir,
      faults: this.faults,
      onNotice: (e) => this.sink.observe(e),
      logger: logger.child({ component: 'outbox' }),
    });
    this.latches = latchFile(config.gateway.stateDir, this.faults, logger.child({ component: 'desk' }));
    this.desk = new AlarmDesk({
      actions: config.actions ?? [],
      outputs,
      ...(ruleCommands !== undefined ? { ruleCommands } : {}),
      now: () => clock.now(),
      mono: () => clock.mono(),
      faults: this.faults,
      logger: logger.child({ component: 'desk' }),
      receiptTimeoutMs: o.alarmAckTimeoutMs,
      latches: this.latches,
      onChange: (change) => this.bus.emit('desk', change),
    });
    this.sink = new PipelineSink({ desk: this.desk, store: this.store, bus: this.bus, logger: logger.child({ component: 'events' }) });
    this.turn = new TurnBatch(this.sink);
    this.rules = new RulesEngine({ gatewayId, clock, seq: this.store, sink: this.turn });
  }

  /** Opens the outbox (never fails: a storage fault at worst) and lets held faults out. */
  open(): void {
    this.store.start();
    this.faults.open();
  }

  async close(): Promise<void> {
    this.turn.flush();
    this.desk.stop();
    await this.latches.close();
    this.store.close();
  }
}
