import type { EventSink } from '../rules/engine.js';
import { buildEvent, type EventStamp } from '../rules/event-factory.js';
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
}

export class GatewayFaults implements FaultReporter {
  private readonly raised = new Map<string, GatewayEvent>();
  private failures = 0;

  constructor(private readonly options: GatewayFaultsOptions) {}

  raise(key: string, message: string, opts: FaultOptions = {}): void {
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
    return this.raised.has(key);
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
