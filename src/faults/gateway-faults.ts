import type { EventSink } from '../model/sinks.js';
import { buildEvent, type EventStamp } from '../model/event-factory.js';
import type { GatewayEvent, Severity } from '../model/event.js';
import type { Location } from '../model/location.js';

/**
 * Faults of the gateway's own parts (storage, a GPIO line, a helper process, the uplink, a state
 * file), as opposed to a field device's fault bit. Each fault has a stable key; raising a key that
 * is already raised does nothing, clearing it sends the restore. Both travel as ordinary events
 * (kind `fault` / `restore`) through the same path as a detector's events: the alarm desk shows
 * them, the outbox keeps them, the uplink sends them.
 */
export interface FaultReporter {
  /** Raises the fault `key` unless it is raised already. Never throws. */
  raise(key: string, message: string, opts?: FaultOptions): void;
  /** Clears the fault `key` (a `restore` event) if it is raised. Never throws. */
  clear(key: string, message?: string): void;
  /** Whether `key` is raised now. */
  active(key: string): boolean;
}

export interface FaultOptions {
  /** Default `major`; a fault that endangers alarm delivery is `critical`. */
  severity?: Severity;
  /** The device the fault belongs to; default the gateway itself. */
  deviceId?: string;
  /** Default the key. */
  point?: string;
  location?: Location;
}

export interface GatewayFaultsOptions extends EventStamp {
  sink: EventSink;
  location: Location;
  /** Called when handing an event to the sink failed (it is counted, never thrown). */
  onError?: (err: unknown) => void;
  /**
   * Hold raises and clears until open(): parts built before the outbox is open (state files read
   * while the daemon is assembled) report faults that need a sequence number and a sink.
   */
  held?: boolean;
}

export class GatewayFaults implements FaultReporter {
  private readonly raised = new Map<string, GatewayEvent>();
  private failures = 0;
  /** While held: the calls to replay at open(), and which keys they leave raised. */
  private held: { calls: (() => void)[]; keys: Set<string> } | undefined;

  constructor(private readonly options: GatewayFaultsOptions) {
    if (options.held) this.held = { calls: [], keys: new Set() };
  }

  /** Sends what was held, in order; from now on faults go out as they happen. */
  open(): void {
    const held = this.held;
    this.held = undefined;
    for (const call of held?.calls ?? []) call();
  }

  raise(key: string, message: string, opts: FaultOptions = {}): void {
    if (this.held !== undefined) {
      this.held.keys.add(key);
      this.held.calls.push(() => this.raise(key, message, opts));
      return;
    }
    if (this.raised.has(key)) return;
    const o = this.options;
    let event: GatewayEvent;
    try {
      event = buildEvent(o, { id: opts.deviceId ?? o.gatewayId, location: opts.location ?? o.location }, {
        kind: 'fault',
        severity: opts.severity ?? 'major',
        point: opts.point ?? key,
        message,
      });
    } catch (err) {
      this.failed(err);
      return;
    }
    this.raised.set(key, event);
    this.deliver(event);
  }

  clear(key: string, message?: string): void {
    if (this.held !== undefined) {
      this.held.keys.delete(key);
      this.held.calls.push(() => this.clear(key, message));
      return;
    }
    const fault = this.raised.get(key);
    if (fault === undefined) return;
    this.raised.delete(key);
    const o = this.options;
    try {
      const facts = { kind: 'restore' as const, severity: fault.severity, message: message ?? `cleared: ${fault.message}`, restores: fault.id };
      this.deliver(buildEvent(o, { id: fault.deviceId, location: fault.location }, fault.point !== undefined ? { ...facts, point: fault.point } : facts));
    } catch (err) {
      this.failed(err);
    }
  }

  active(key: string): boolean {
    return this.held !== undefined ? this.held.keys.has(key) : this.raised.has(key);
  }

  /** Faults raised and not cleared. */
  list(): GatewayEvent[] {
    return [...this.raised.values()];
  }

  /** Events that could not be handed on. */
  deliveryFailures(): number {
    return this.failures;
  }

  private deliver(event: GatewayEvent): void {
    try {
      this.options.sink.event(event);
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.failures += 1;
    try {
      this.options.onError?.(err);
    } catch {
      // the counter above records it
    }
  }
}

/** For parts used where nobody listens for faults (tools, some tests). */
export const ignoreFaults: FaultReporter = { raise: () => {}, clear: () => {}, active: () => false };
