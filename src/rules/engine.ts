import type { OfflinePolicy } from '../config/types.js';
import { HearthError } from '../errors.js';
import type { GatewayEvent, EventKind, Severity } from '../model/event.js';
import type { EventSink } from '../model/sinks.js';
import type { Location } from '../model/location.js';
import { pointTitle, type PointRole, type PointSpec, type ThresholdSpec } from '../model/point.js';
import type { Reading } from '../model/reading.js';
import { AvailabilityTracker, type AvailabilityState } from './availability.js';
import { buildEvent, formatDuration, withUnit, type EventFacts, type EventStamp } from '../model/event-factory.js';
import { ThresholdMachine, type ThresholdTransition } from './threshold-machine.js';
import { effectiveThresholds, type ResolvedThreshold } from './thresholds.js';

/**
 * The local rules engine: readings and poll outcomes in, events out through a sink. Synchronous,
 * no I/O, time from the injected clock, so alarms are decided on the gateway with no network.
 * Events leave only through `sink.event()`: local actions (sirens, relays) and event tagging can
 * later be added as sinks that wrap the outbox sink, without touching the rules.
 */

/** What the engine needs to know about a device: its points, the site's overrides, where it is. */
export interface RulesDevice {
  id: string;
  location: Location;
  points: readonly PointSpec[];
  /** Per-point overrides of the profile thresholds (DeviceConfig.thresholds). */
  thresholds?: Readonly<Record<string, ThresholdSpec>>;
  offline: OfflinePolicy;
}

export interface RulesEngineOptions extends EventStamp {
  sink: EventSink;
}

/** Event kind and default severity of a boolean point per role (`value` raises nothing). */
const BOOLEAN_ROLES: Record<Exclude<PointRole, 'value'>, { kind: EventKind; severity: Severity }> = {
  alarm: { kind: 'alarm', severity: 'fire' },
  fault: { kind: 'fault', severity: 'major' },
  tamper: { kind: 'tamper', severity: 'major' },
};

interface DeviceRules {
  device: RulesDevice;
  specs: Map<string, PointSpec>;
  machines: Map<string, ThresholdMachine>;
  availability: AvailabilityTracker;
  /** Raised events not yet restored, by point name: restores point back at them. */
  active: Map<string, GatewayEvent>;
  offlineEvent?: GatewayEvent;
}

export class RulesEngine {
  private readonly devices = new Map<string, DeviceRules>();

  constructor(private readonly options: RulesEngineOptions) {}

  /** Registers (or replaces) a device. Replacing drops its alarm state: use on config reload only. */
  addDevice(device: RulesDevice): void {
    const machines = new Map<string, ThresholdMachine>();
    for (const [point, threshold] of Object.entries(effectiveThresholds(device.points, device.thresholds))) {
      machines.set(point, new ThresholdMachine(threshold));
    }
    this.devices.set(device.id, {
      device,
      specs: new Map(device.points.map((p) => [p.name, p])),
      machines,
      availability: new AvailabilityTracker(device.offline),
      active: new Map(),
    });
  }

  /** The device gave a valid answer with these (normalized) readings. */
  pollSucceeded(deviceId: string, readings: readonly Reading[]): void {
    const rules = this.require(deviceId);
    const events: GatewayEvent[] = [];
    const back = rules.availability.succeeded(this.options.clock.mono());
    if (back !== undefined) events.push(this.online(rules, back.offlineForMs));
    for (const reading of readings) this.evaluate(rules, reading, events);
    this.emit(events);
  }

  /** The device gave no valid answer; `errorCode` is the bus error's code (e.g. MODBUS_TIMEOUT). */
  pollFailed(deviceId: string, errorCode: string): void {
    const rules = this.require(deviceId);
    const change = rules.availability.failed(this.options.clock.mono(), errorCode);
    if (change !== undefined) this.emit([this.offline(rules, change.reason)]);
  }

  /** Time-based checks (offline after `afterMs`) for one device or all; call it periodically. */
  tick(deviceId?: string): void {
    const targets = deviceId === undefined ? [...this.devices.values()] : [this.require(deviceId)];
    const events: GatewayEvent[] = [];
    for (const rules of targets) {
      const change = rules.availability.tick(this.options.clock.mono());
      if (change !== undefined) events.push(this.offline(rules, change.reason));
    }
    this.emit(events);
  }

  availability(deviceId: string): AvailabilityState {
    return this.require(deviceId).availability.state;
  }

  /** Raised events not yet restored (alarms, faults, tamper, offline), for consoles and the API. */
  activeEvents(deviceId?: string): GatewayEvent[] {
    const targets = deviceId === undefined ? [...this.devices.values()] : [this.require(deviceId)];
    return targets.flatMap((r) => [...(r.offlineEvent ? [r.offlineEvent] : []), ...r.active.values()]);
  }

  /** The thresholds in force for a registered device, after merging its overrides. */
  thresholdsOf(deviceId: string): Record<string, ResolvedThreshold> {
    const rules = this.require(deviceId);
    return Object.fromEntries([...rules.machines].map(([point, m]) => [point, m.threshold]));
  }

  private evaluate(rules: DeviceRules, reading: Reading, events: GatewayEvent[]): void {
    // Only good values decide: an implausible or stale value must neither raise nor end an alarm.
    if (reading.quality !== 'good') return;
    const spec = rules.specs.get(reading.point);
    if (spec === undefined) return;
    const machine = rules.machines.get(spec.name);
    if (machine !== undefined && typeof reading.value === 'number') {
      for (const t of machine.step(reading.value, reading.mono)) events.push(this.thresholdEvent(rules, spec, machine, t, reading.value));
      return;
    }
    if (spec.role !== undefined && spec.role !== 'value' && typeof reading.value === 'boolean') {
      const event = this.booleanEvent(rules, spec, spec.role, reading.value);
      if (event !== undefined) events.push(event);
    }
  }

  private thresholdEvent(rules: DeviceRules, spec: PointSpec, machine: ThresholdMachine, t: ThresholdTransition, value: number): GatewayEvent {
    const { kind, severity, onDelayMs } = machine.threshold;
    const unit = spec.unit;
    if (t.type === 'raise') {
      const where = t.side === 'high' ? 'above' : 'below';
      const held = onDelayMs > 0 ? ` for ${formatDuration(onDelayMs)}` : '';
      const message = `${pointTitle(spec)} ${withUnit(value, unit)} ${where} ${kind} threshold ${withUnit(t.limit, unit)}${held}`;
      return this.raise(rules, spec.name, { kind, severity, point: spec.name, value, threshold: t.limit, unit, message });
    }
    const where = t.side === 'high' ? 'below' : 'above';
    const message = `${pointTitle(spec)} ${withUnit(value, unit)} back ${where} ${withUnit(machine.restoreLevel(t.side), unit)}: ${kind} ended`;
    return this.restore(rules, spec.name, { point: spec.name, value, threshold: t.limit, unit, message });
  }

  private booleanEvent(rules: DeviceRules, spec: PointSpec, role: keyof typeof BOOLEAN_ROLES, active: boolean): GatewayEvent | undefined {
    const isRaised = rules.active.has(spec.name);
    if (active === isRaised) return undefined;
    const { kind, severity } = BOOLEAN_ROLES[role];
    if (active) {
      const facts = { kind, severity: spec.severity ?? severity, point: spec.name, value: true, unit: spec.unit, message: `${pointTitle(spec)} ${role} active` };
      return this.raise(rules, spec.name, facts);
    }
    return this.restore(rules, spec.name, { point: spec.name, value: false, unit: spec.unit, message: `${pointTitle(spec)} ${role} cleared` });
  }

  private raise(rules: DeviceRules, key: string, facts: EventFacts): GatewayEvent {
    const event = buildEvent(this.options, rules.device, facts);
    rules.active.set(key, event);
    return event;
  }

  /** A restore carries the severity of what it ends, so consoles and routing treat the pair alike. */
  private restore(rules: DeviceRules, key: string, facts: Omit<EventFacts, 'kind' | 'severity'>): GatewayEvent {
    const raised = rules.active.get(key);
    rules.active.delete(key);
    const full: EventFacts = { ...facts, kind: 'restore', severity: raised?.severity ?? 'info' };
    if (raised !== undefined) full.restores = raised.id;
    return buildEvent(this.options, rules.device, full);
  }

  private offline(rules: DeviceRules, reason: 'polls' | 'time'): GatewayEvent {
    const a = rules.availability;
    const why =
      reason === 'polls'
        ? `no valid answer to ${a.consecutiveFailures} polls`
        : `no valid answer for ${formatDuration(a.silentForMs(this.options.clock.mono()))}`;
    const last = a.lastErrorCode !== undefined ? ` (last error ${a.lastErrorCode})` : '';
    // Continuity of a pending on-delay is unknown across an outage; active alarms are kept as they are.
    for (const machine of rules.machines.values()) machine.cancelPending();
    const event = buildEvent(this.options, rules.device, { kind: 'offline', severity: 'major', message: `device ${rules.device.id} offline: ${why}${last}` });
    rules.offlineEvent = event;
    return event;
  }

  private online(rules: DeviceRules, offlineForMs: number): GatewayEvent {
    const raised = rules.offlineEvent;
    delete rules.offlineEvent;
    const facts: EventFacts = {
      kind: 'online',
      severity: raised?.severity ?? 'major',
      message: `device ${rules.device.id} back online after ${formatDuration(offlineForMs)}`,
    };
    if (raised !== undefined) facts.restores = raised.id;
    return buildEvent(this.options, rules.device, facts);
  }

  /**
   * Hands every event to the sink even if one delivery throws (state has already moved on, so a
   * skipped event would be lost for good); the first error is rethrown for the caller to count.
   */
  private emit(events: GatewayEvent[]): void {
    const sink = this.options.sink;
    // Raised by one poll: stored together, one durable commit for all (the sink acts on each first).
    if (events.length > 1 && sink.eventBatch !== undefined) {
      sink.eventBatch(events);
      return;
    }
    let failure: { error: unknown } | undefined;
    for (const event of events) {
      try {
        this.options.sink.event(event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  private require(deviceId: string): DeviceRules {
    const rules = this.devices.get(deviceId);
    if (rules === undefined) throw new HearthError('RULES_UNKNOWN_DEVICE', `rules: unknown device ${deviceId}`);
    return rules;
  }
}
