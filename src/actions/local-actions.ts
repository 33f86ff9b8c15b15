import type { LocalActionRule } from '../config/io-types.js';
import type { Logger } from '../log/logger.js';
import type { GatewayEvent } from '../model/event.js';
import type { LocalOutputs } from './outputs.js';

/**
 * Local rules: an event from the pipeline (an alarm, a tag at a reader) drives outputs on the
 * gateway itself: siren pattern, elevator-block relay for N seconds. Runs on the event as it is
 * stored, before and independent of the uplink, so it works with no network at all.
 * With `untilRestore`, the restore of the triggering event returns the outputs to their safe state.
 */

export interface ActionStats {
  fired: Record<string, number>;
  released: number;
  unknownOutputs: number;
}

export function matches(rule: LocalActionRule, e: GatewayEvent): boolean {
  const w = rule.when;
  if (!w.kinds.includes(e.kind)) return false;
  if (w.devices !== undefined && !w.devices.includes(e.deviceId)) return false;
  if (w.points !== undefined && (e.point === undefined || !w.points.includes(e.point))) return false;
  if (w.severities !== undefined && !w.severities.includes(e.severity)) return false;
  return true;
}

export class LocalActions {
  /** Raised event id → owners it started (rule name + event id), for the restore. */
  private readonly owners = new Map<string, { owner: string; outputs: string[] }>();
  /** Every event that drove outputs → its demands, for silencing (bounded: oldest dropped). */
  private readonly drivenBy = new Map<string, { owner: string; outputs: string[] }[]>();
  private readonly counters: ActionStats = { fired: {}, released: 0, unknownOutputs: 0 };

  constructor(
    private readonly rules: readonly LocalActionRule[],
    private readonly outputs: LocalOutputs,
    private readonly logger: Logger,
  ) {}

  /** The pipeline's event listener. Never throws: a failed action must not lose the event. */
  readonly onEvent = (e: GatewayEvent): void => {
    try {
      if (e.kind === 'restore' || e.kind === 'online' || e.kind === 'tag_left') this.release(e);
      for (const rule of this.rules) if (matches(rule, e)) this.fire(rule, e);
    } catch (err) {
      this.logger.error({ event: e.id, err: (err as Error).message }, 'local action failed');
    }
  };

  stats(): ActionStats {
    return { ...this.counters, fired: { ...this.counters.fired } };
  }

  private fire(rule: LocalActionRule, e: GatewayEvent): void {
    const owner = `${rule.name}:${e.id}`;
    const driven: string[] = [];
    for (const step of rule.do) {
      const out = this.outputs.get(step.output);
      if (out === undefined) {
        // Config checks reject unknown names; this guards a reload race, it is not an expected path.
        this.counters.unknownOutputs += 1;
        continue;
      }
      const cmd = { mode: step.mode, owner, ...(step.forMs !== undefined ? { forMs: step.forMs } : {}), ...(step.pattern ? { pattern: step.pattern } : {}) };
      out.run(cmd);
      driven.push(step.output);
    }
    this.counters.fired[rule.name] = (this.counters.fired[rule.name] ?? 0) + 1;
    if (rule.untilRestore) this.owners.set(e.id, { owner, outputs: driven });
    this.drivenBy.set(e.id, [...(this.drivenBy.get(e.id) ?? []), { owner, outputs: driven }]);
    if (this.drivenBy.size > 1000) this.drivenBy.delete(this.drivenBy.keys().next().value!);
    this.logger.warn({ rule: rule.name, event: e.kind, device: e.deviceId, outputs: driven }, `local action ${rule.name}`);
  }

  /**
   * Silence an alarm: the sounders it drives stop; its relays (elevator block, power cut) stay as
   * they are, since silencing is about noise, not safety. Another alarm's demand on the same siren
   * keeps it sounding, and a new alarm sounds again. Returns the outputs switched off.
   */
  silence(eventId: string): string[] {
    const silenced: string[] = [];
    for (const demand of this.drivenBy.get(eventId) ?? []) {
      for (const name of demand.outputs) {
        const out = this.outputs.get(name);
        if (out === undefined || !out.cfg.sounder) continue;
        out.release(demand.owner);
        silenced.push(name);
      }
    }
    if (silenced.length > 0) this.logger.warn({ event: eventId, outputs: silenced }, 'alarm silenced: sounders off');
    return silenced;
  }

  private release(e: GatewayEvent): void {
    const started = e.restores !== undefined ? this.owners.get(e.restores) : undefined;
    if (started === undefined) return;
    this.owners.delete(e.restores!);
    for (const name of started.outputs) this.outputs.get(name)?.release(started.owner);
    this.counters.released += 1;
  }
}
