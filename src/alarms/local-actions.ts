import type { CommandStep, LocalActionRule } from '../config/io-types.js';
import type { Logger } from '../log/logger.js';
import type { GatewayEvent } from '../model/event.js';
import type { OutputCommand } from '../outputs/output.js';
import type { OutputRegistry } from '../outputs/driven-outputs.js';

/**
 * Local rules: an event drives outputs on the gateway itself (siren pattern, elevator-block relay
 * for N seconds). The alarm desk calls this in the same turn of the event loop as the rules'
 * decision, before the event is stored or sent, so it works with no network and no disk.
 * With `untilRestore`, the restore of the triggering event returns the outputs to their safe state.
 *
 * Every command is a demand held by its owner (rule + event) on the output (src/outputs/output.ts),
 * so one alarm's restore or silence never switches off a siren another alarm still demands.
 * Silencing suspends an alarm's demands on sounders only; re-sounding gives them back, for the
 * time they have left.
 */

/**
 * Runs a device command for a rule (the gateway's device commands). Called in the event's turn and
 * must return at once: the write and its read-back go on in the background, never in the way of
 * the alarm path; the runner logs and audits the outcome.
 */
export type RuleCommandRunner = (step: CommandStep, rule: string, cause: GatewayEvent) => void;

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

/** One output command an event started, and until when it lasts (monotonic ms; undefined = until released). */
interface Demand {
  output: string;
  cmd: OutputCommand;
  endsAt: number | undefined;
  /** Ended by a restore (untilRestore): never given back by a re-sound. */
  released: boolean;
  /** Suspended by a silence (sounders only). */
  silenced: boolean;
}

/** At most this many events' demands are remembered for silence and re-sound (oldest forgotten). */
const MAX_REMEMBERED = 1000;

export class LocalActions {
  /** Event id → the demands it started, in rule order. */
  private readonly demands = new Map<string, Demand[]>();
  /** Raised event id → true when its rules return outputs to safe state at its restore. */
  private readonly untilRestore = new Map<string, Demand[]>();
  private readonly counters: ActionStats = { fired: {}, released: 0, unknownOutputs: 0 };

  constructor(
    private readonly rules: readonly LocalActionRule[],
    private readonly outputs: () => OutputRegistry | undefined,
    private readonly logger: Logger,
    private readonly mono: () => number = () => performance.now(),
    private readonly commands?: RuleCommandRunner,
  ) {}

  /**
   * Runs the rules for one event. Never throws: a failed action must not lose the event.
   * `holdSounders` (a quiet walk-test alarm, src/alarms/walk-test.ts): its demands on sounders are
   * recorded as silenced instead of driven, so resound() drives them if the alarm outlasts the test.
   */
  onEvent(e: GatewayEvent, holdSounders = false): void {
    try {
      if (e.restores !== undefined) this.release(e.restores);
      for (const rule of this.rules) if (matches(rule, e)) this.fire(rule, e, holdSounders);
    } catch (err) {
      this.logger.error({ event: e.id, err: (err as Error).message }, 'local action failed');
    }
  }

  stats(): ActionStats {
    return { ...this.counters, fired: { ...this.counters.fired } };
  }

  /** Whether the event drives a sounder now (so silencing it would change something). */
  sounding(eventId: string): boolean {
    return (this.demands.get(eventId) ?? []).some((d) => !d.released && !d.silenced && this.isSounder(d.output) && !this.expired(d));
  }

  /**
   * Silences an event: its demands on sounders are suspended; relays (elevator block, power cut)
   * stay as they are, since silencing is about noise, not safety. Another alarm's demand on the
   * same sounder keeps it sounding. Returns the sounders this event stopped demanding.
   */
  silence(eventId: string): string[] {
    const outputs = this.outputs();
    const silenced: string[] = [];
    for (const d of this.demands.get(eventId) ?? []) {
      if (d.released || d.silenced || !this.isSounder(d.output)) continue;
      d.silenced = true;
      outputs?.get(d.output)?.release(d.cmd.owner);
      silenced.push(d.output);
    }
    return silenced;
  }

  /** Ends a silence: the event's sounder demands that have not ended meanwhile drive again. Returns those outputs. */
  resound(eventId: string): string[] {
    const outputs = this.outputs();
    const resounded: string[] = [];
    for (const d of this.demands.get(eventId) ?? []) {
      if (!d.silenced) continue;
      d.silenced = false;
      if (d.released || this.expired(d)) continue;
      const out = outputs?.get(d.output);
      if (out === undefined) continue;
      const left = d.endsAt === undefined ? undefined : Math.max(1, Math.round(d.endsAt - this.mono()));
      out.run(left === undefined ? d.cmd : { ...d.cmd, forMs: left });
      resounded.push(d.output);
    }
    return resounded;
  }

  /** Forgets an event's demands (it is done with: restored and acknowledged). */
  forget(eventId: string): void {
    this.demands.delete(eventId);
  }

  private fire(rule: LocalActionRule, e: GatewayEvent, holdSounders: boolean): void {
    const outputs = this.outputs();
    const owner = `${rule.name}:${e.id}`;
    const started: Demand[] = [];
    for (const step of rule.do) {
      const out = outputs?.get(step.output);
      if (out === undefined) {
        // No outputs yet (GPIO unavailable) or a name the config check would have rejected.
        this.counters.unknownOutputs += 1;
        continue;
      }
      const cmd: OutputCommand = { mode: step.mode, owner, ...(step.forMs !== undefined ? { forMs: step.forMs } : {}), ...(step.pattern ? { pattern: step.pattern } : {}) };
      const held = holdSounders && out.cfg.sounder === true;
      if (!held) out.run(cmd);
      const lasts = step.mode === 'pulse' ? (step.forMs ?? 1000) : step.forMs;
      started.push({ output: step.output, cmd, endsAt: lasts === undefined ? undefined : this.mono() + lasts, released: false, silenced: held });
    }
    for (const step of rule.commands) {
      // A walk-test alarm is a person testing a detector: the breaker it would trip stays as it is
      // (EN 54-2's test condition holds the outputs to other equipment).
      if (e.test === true) {
        this.logger.warn({ rule: rule.name, device: step.device, command: step.command, event: e.id }, 'rule command held: walk-test alarm');
        continue;
      }
      try {
        this.commands?.(step, rule.name, e);
      } catch (err) {
        this.logger.error({ rule: rule.name, device: step.device, command: step.command, err: (err as Error).message }, 'rule command not started');
      }
    }
    this.counters.fired[rule.name] = (this.counters.fired[rule.name] ?? 0) + 1;
    this.demands.set(e.id, [...(this.demands.get(e.id) ?? []), ...started]);
    if (rule.untilRestore) this.untilRestore.set(e.id, [...(this.untilRestore.get(e.id) ?? []), ...started]);
    if (this.demands.size > MAX_REMEMBERED) this.demands.delete(this.demands.keys().next().value!);
    this.logger.warn({ rule: rule.name, event: e.kind, device: e.deviceId, outputs: started.map((d) => d.output) }, `local action ${rule.name}`);
  }

  private release(raisedId: string): void {
    const held = this.untilRestore.get(raisedId);
    if (held === undefined) return;
    this.untilRestore.delete(raisedId);
    const outputs = this.outputs();
    for (const d of held) {
      d.released = true;
      outputs?.get(d.output)?.release(d.cmd.owner);
    }
    this.counters.released += 1;
  }

  private isSounder(name: string): boolean {
    return this.outputs()?.get(name)?.cfg.sounder === true;
  }

  private expired(d: Demand): boolean {
    return d.endsAt !== undefined && this.mono() >= d.endsAt;
  }
}
